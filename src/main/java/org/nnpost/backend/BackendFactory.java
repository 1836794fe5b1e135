package org.nnpost.backend;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.backend.cuda.CudaBackend;
import org.nnpost.backend.cuda.CudaException;
import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.backend.cuda.GpuProbe;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.run.RunException;

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
                    throw new RunException(RunException.BAD_INPUT,
                            "--backend cuda: no usable GPU (" + gpu.reason() + "); use --backend cpu or auto");
                try {
                    return new Choice(new CudaBackend(spec, task, chains, cuda), "cuda backend (asked for): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new RunException(RunException.BAD_INPUT, "--chains " + chains + ": " + e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    throw new RunException(RunException.BAD_INPUT, "--backend cuda: the GPU backend could not start ("
                            + CudaException.oneLine(e) + "); use --backend cpu or auto");
                }
            }
            case "auto": {
                GpuProbe.Answer gpu = probe != null ? probe : GpuProbe.probe();
                if (!gpu.usable()) {
                    if (cuda.curand()) throw new RunException(RunException.BAD_INPUT,
                            "--rng curand: needs the GPU backend and no usable GPU was found (" + gpu.reason() + "); use --rng philox");
                    return cpu(spec, task, chains, threads, "auto: no usable GPU, " + gpu.reason());
                }
                try {
                    return new Choice(new CudaBackend(spec, task, chains, cuda), "cuda backend (auto: usable GPU found): " + gpu.reason());
                } catch (CudaException.TooLarge e) {
                    throw new RunException(RunException.BAD_INPUT, "--chains " + chains + ": " + e.getMessage());
                } catch (CudaException | LinkageError | IllegalArgumentException e) {
                    if (cuda.curand()) throw new RunException(RunException.BAD_INPUT, "--rng curand: the GPU backend could not start ("
                            + CudaException.oneLine(e) + "); use --rng philox");
                    return cpu(spec, task, chains, threads, "auto: GPU found but the CUDA backend could not start, " + CudaException.oneLine(e));
                }
            }
            default:
                throw new RunException(RunException.BAD_INPUT, "--backend " + requested + ": allowed values are cpu, cuda, auto");
        }
    }

    private static Choice cpu(ModelSpec spec, Task task, int chains, int threads, String why) {
        return new Choice(new CpuBackend(spec, task, chains, threads), "cpu backend (" + why + "), " + threads + " threads");
    }
}
