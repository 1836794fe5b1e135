package org.nnpost.backend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.nnpost.backend.BackendException.Reason;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.backend.cpu.CpuGemm;
import org.nnpost.backend.cuda.CudaBackend;
import org.nnpost.backend.cuda.CudaException;
import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;

/**
 * Picks the backend for a run and says why: "cuda" when asked and usable (an error when asked
 * and not usable, never a silent fallback), "cpu" when asked, and for "auto" CUDA when a usable
 * GPU is found, else the CPU. A run too large for the GPU's memory is an error in both GPU
 * modes, saying how many chains would fit: falling back to the CPU would be far slower than
 * running fewer chains. cuRAND's noise exists only on the GPU, so "auto" with it is an error
 * rather than a CPU run with the other generator. Failures are {@link BackendException}s that
 * say what happened; the command line words the remedy. GPU settings that a CPU run leaves
 * unused (TF32, a device) are named in the reason line, which the run prints and records.
 */
public final class BackendFactory {
    private BackendFactory() {}

    /** The backend made, and one line saying which and why. */
    public record Choice(Backend backend, String reason) {}

    /** The backend of the request for the model and task, asking the (cached) GPU probe when it matters. */
    public static Choice create(BackendSpec request, ModelSpec spec, Task task, int chains) {
        return create(request, spec, task, chains, null);
    }

    /**
     * @param probe the GPU probe's answer, or null to ask the (cached) probe; tests pass their own
     */
    public static Choice create(BackendSpec request, ModelSpec spec, Task task, int chains, GpuProbe.Answer probe) {
        int[] devices = request.devices();
        if (devices != null && devices.length >= 2) return split(request, spec, task, chains, probe, devices);
        return create(request, spec, task, null, chains, probe);
    }

    /**
     * The backend for the chains of several members (points of a sweep) that share the network's
     * shape and the inputs: one device, or the CPU. The choice is made as for one run of all
     * their chains; a packed backend is never split across devices, and cuRAND's noise (keyed by
     * one seed) cannot be packed.
     *
     * @param spec the network's shape, and task the inputs, that every member shares
     */
    public static Choice createPacked(BackendSpec request, ModelSpec spec, Task task, Packing packing, GpuProbe.Answer probe) {
        if (request.devices() != null && request.devices().length >= 2)
            throw new IllegalArgumentException("a packed backend runs on one device");
        if (request.curand()) throw new IllegalArgumentException("cuRAND's noise cannot be packed");
        return create(request, spec, task, packing, packing.total(), probe);
    }

    /** Whether a request would run on a GPU: cuda, or auto with a usable one (probed once per process). */
    public static boolean landsOnGpu(BackendSpec request) {
        return switch (request.kind()) {
            case "cpu" -> false;
            case "cuda" -> true;
            default -> GpuProbe.probe().usable();
        };
    }

    private static Choice create(BackendSpec request, ModelSpec spec, Task task, Packing packing, int chains, GpuProbe.Answer probe) {
        int[] devices = request.devices();
        CudaOptions cuda = cudaOptions(request, devices == null ? request.device() : devices[0]);
        switch (request.kind()) {
            case "cpu":
                return cpu(request, spec, task, packing, chains, "asked for");
            case "cuda": {
                GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
                if (!gpu.usable()) throw new BackendException(Reason.NO_GPU, request, chains, gpu.reason());
                try {
                    return new Choice(cuda(spec, task, packing, chains, cuda), "cuda backend (asked for): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new BackendException(Reason.TOO_LARGE, request, chains, e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    throw new BackendException(Reason.GPU_FAILED, request, chains, CudaException.oneLine(e));
                }
            }
            default: {   // auto
                GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
                if (!gpu.usable()) {
                    if (request.curand()) throw new BackendException(Reason.NO_GPU, request, chains, gpu.reason());
                    return cpu(request, spec, task, packing, chains, "auto: no usable GPU, " + gpu.reason());
                }
                try {
                    return new Choice(cuda(spec, task, packing, chains, cuda), "cuda backend (auto: usable GPU found): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new BackendException(Reason.TOO_LARGE, request, chains, e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    if (request.curand()) throw new BackendException(Reason.GPU_FAILED, request, chains, CudaException.oneLine(e));
                    return cpu(request, spec, task, packing, chains, "auto: GPU found but the CUDA backend could not start, " + CudaException.oneLine(e));
                }
            }
        }
    }

    /**
     * The chains split across several GPUs ({@link SplitBackend}), each part keyed by its global
     * chain indices so the run draws what one GPU would.
     */
    private static Choice split(BackendSpec request, ModelSpec spec, Task task, int chains, GpuProbe.Answer probe, int[] devices) {
        if (request.curand()) throw new BackendException(Reason.SPLIT_WITH_CURAND, request, chains, null);
        if (chains < devices.length) throw new BackendException(Reason.TOO_FEW_CHAINS, request, chains, null);
        GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
        if (!gpu.usable()) throw new BackendException(Reason.NO_GPU, request, chains, gpu.reason());
        List<Backend> parts = new ArrayList<>();
        try {
            for (int k = 0; k < devices.length; k++)
                parts.add(new CudaBackend(spec, task, SplitBackend.share(chains, devices.length, k),
                        cudaOptions(request, devices[k]), SplitBackend.offset(chains, devices.length, k)));
        } catch (CudaException.TooLarge e) {
            parts.forEach(Backend::close);
            throw new BackendException(Reason.TOO_LARGE, request, chains, e.getMessage());
        } catch (CudaException | LinkageError | IllegalArgumentException e) {
            parts.forEach(Backend::close);
            throw new BackendException(Reason.GPU_FAILED, request, chains, CudaException.oneLine(e));
        }
        return new Choice(new SplitBackend(parts), "cuda backend split across devices " + Arrays.toString(devices) + ": " + gpu.reason());
    }

    private static Backend cuda(ModelSpec spec, Task task, Packing packing, int chains, CudaOptions options) {
        return packing == null ? new CudaBackend(spec, task, chains, options) : new CudaBackend(spec, task, packing, options);
    }

    /** The GPU backend's settings for one device: the request's precision and noise, tuning at its defaults. */
    static CudaOptions cudaOptions(BackendSpec request, int device) {
        return CudaOptions.DEFAULT.withDevice(device).withTf32(request.tf32()).withCurand(request.curand());
    }

    private static Choice cpu(BackendSpec request, ModelSpec spec, Task task, Packing packing, int chains, String why) {
        String gemm;
        try {
            gemm = CpuGemm.describe();
        } catch (IllegalArgumentException e) {
            throw new BackendException(Reason.CPU_GEMM, request, chains, e.getMessage());
        }
        return new Choice(packing == null ? new CpuBackend(spec, task, chains, request.threads())
                        : new CpuBackend(spec, task, packing, request.threads()),
                "cpu backend (" + why + "), " + request.threads() + " threads, GEMM: " + gemm + ignoredOnTheCpu(request));
    }

    /**
     * The GPU settings a CPU run leaves unused, said in the flags that gave them, so that "auto"
     * landing on the CPU (or --backend cpu with a GPU named) does not drop them silently: "";
     * or "; --precision tf32 and --device 7 have no effect on the CPU".
     */
    static String ignoredOnTheCpu(BackendSpec request) {
        List<String> flags = new ArrayList<>();
        if (request.tf32()) flags.add("--precision tf32");
        int[] devices = request.devices();
        if (devices != null) flags.add("--devices " + BackendSpec.list(devices));
        else if (request.device() != 0) flags.add("--device " + request.device());
        if (flags.isEmpty()) return "";
        return "; " + String.join(" and ", flags) + (flags.size() == 1 ? " has" : " have") + " no effect on the CPU";
    }
}
