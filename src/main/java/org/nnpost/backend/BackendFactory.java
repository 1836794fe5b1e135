package org.nnpost.backend;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.backend.cpu.CpuGemm;
import org.nnpost.backend.cuda.CudaBackend;
import org.nnpost.backend.cuda.CudaException;
import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.run.RunException;
import org.nnpost.spec.NnpostException;

/**
 * Picks the backend for a run and says why: "cuda" when asked and usable (an error when asked
 * and not usable, never a silent fallback), "cpu" when asked, and for "auto" CUDA when a usable
 * GPU is found, else the CPU. A run too large for the GPU's memory is an error in both GPU
 * modes, saying how many chains would fit: falling back to the CPU would be far slower than
 * running fewer chains. cuRAND's noise ({@link CudaOptions#curand}) exists only on the GPU, so
 * "auto" with it is an error rather than a CPU run with the other generator.
 */
public final class BackendFactory {
    private BackendFactory() {}

    /** The backend made, and one line saying which and why. */
    public record Choice(Backend backend, String reason) {}

    public static Choice create(String requested, ModelSpec spec, Task task, int chains, int threads) {
        return create(requested, spec, task, chains, threads, CudaOptions.DEFAULT, null);
    }

    /**
     * The chains split across several GPUs ({@link SplitBackend}), each part keyed by its global
     * chain indices so the run draws what one GPU would; with fewer than two devices, as
     * {@link #create(String, ModelSpec, Task, int, int, CudaOptions, GpuProbe.Answer)}.
     */
    public static Choice create(String requested, ModelSpec spec, Task task, int chains, int threads,
                                CudaOptions cuda, GpuProbe.Answer probe, int[] devices) {
        if (devices == null || devices.length < 2) {
            CudaOptions one = devices == null || devices.length == 0 ? cuda : cuda.withDevice(devices[0]);
            return create(requested, spec, task, chains, threads, one, probe);
        }
        if (requested.equals("cpu"))
            throw new RunException(NnpostException.BAD_INPUT, "--devices: splitting chains across GPUs needs --backend cuda or auto");
        if (cuda.curand())
            throw new RunException(NnpostException.BAD_INPUT, "--devices with --rng curand: each GPU would seed its own cuRAND "
                    + "stream, so the chains would not draw what one GPU draws; use one device, or --rng philox");
        if (chains < devices.length)
            throw new RunException(NnpostException.BAD_INPUT, "--devices: " + devices.length + " devices for " + chains
                    + " chains (allowed: at most as many devices as chains)");
        GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
        if (!gpu.usable())
            throw new RunException(NnpostException.BAD_INPUT, "--devices: no usable GPU (" + gpu.reason() + "); leave --devices out to run on the CPU");
        java.util.List<Backend> parts = new java.util.ArrayList<>();
        try {
            for (int k = 0; k < devices.length; k++)
                parts.add(new CudaBackend(spec, task, SplitBackend.share(chains, devices.length, k),
                        cuda.withDevice(devices[k]), SplitBackend.offset(chains, devices.length, k)));
        } catch (CudaException.TooLarge e) {
            parts.forEach(Backend::close);
            throw new RunException(NnpostException.BAD_INPUT, "--chains " + chains + " on " + devices.length + " devices: " + e.getMessage());
        } catch (CudaException | LinkageError | IllegalArgumentException e) {
            parts.forEach(Backend::close);
            throw new RunException(NnpostException.BAD_INPUT, "--devices " + java.util.Arrays.toString(devices)
                    + ": a GPU backend could not start (" + CudaException.oneLine(e) + ")");
        }
        SplitBackend split = new SplitBackend(parts);
        return new Choice(split, "cuda backend split across devices " + java.util.Arrays.toString(devices) + ": " + gpu.reason());
    }

    /**
     * @param probe the GPU probe's answer, or null to ask the (cached) probe; tests pass their own
     */
    public static Choice create(String requested, ModelSpec spec, Task task, int chains, int threads,
                                CudaOptions cuda, GpuProbe.Answer probe) {
        switch (requested) {
            case "cpu":
                return cpu(spec, task, chains, threads, "asked for");
            case "cuda": {
                GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
                if (!gpu.usable())
                    throw new RunException(NnpostException.BAD_INPUT,
                            "--backend cuda: no usable GPU (" + gpu.reason() + "); use --backend cpu or auto");
                try {
                    return new Choice(new CudaBackend(spec, task, chains, cuda), "cuda backend (asked for): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new RunException(NnpostException.BAD_INPUT, "--chains " + chains + ": " + e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    throw new RunException(NnpostException.BAD_INPUT, "--backend cuda: the GPU backend could not start ("
                            + CudaException.oneLine(e) + "); use --backend cpu or auto");
                }
            }
            case "auto": {
                GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
                if (!gpu.usable()) {
                    if (cuda.curand()) throw new RunException(NnpostException.BAD_INPUT,
                            "--rng curand: needs the GPU backend and no usable GPU was found (" + gpu.reason() + "); use --rng philox");
                    return cpu(spec, task, chains, threads, "auto: no usable GPU, " + gpu.reason());
                }
                try {
                    return new Choice(new CudaBackend(spec, task, chains, cuda), "cuda backend (auto: usable GPU found): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new RunException(NnpostException.BAD_INPUT, "--chains " + chains + ": " + e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    if (cuda.curand()) throw new RunException(NnpostException.BAD_INPUT, "--rng curand: the GPU backend could not start ("
                            + CudaException.oneLine(e) + "); use --rng philox");
                    return cpu(spec, task, chains, threads, "auto: GPU found but the CUDA backend could not start, " + CudaException.oneLine(e));
                }
            }
            default:
                throw new RunException(NnpostException.BAD_INPUT, "--backend " + requested + ": allowed values are cpu, cuda, auto");
        }
    }

    private static Choice cpu(ModelSpec spec, Task task, int chains, int threads, String why) {
        String gemm;
        try {
            gemm = CpuGemm.describe();
        } catch (IllegalArgumentException e) {
            throw new RunException(NnpostException.BAD_INPUT, e.getMessage());
        }
        return new Choice(new CpuBackend(spec, task, chains, threads),
                "cpu backend (" + why + "), " + threads + " threads, GEMM: " + gemm);
    }
}
