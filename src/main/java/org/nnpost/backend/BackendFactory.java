package org.nnpost.backend;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.run.RunException;

/**
 * Picks the backend for a run and says why: "cuda" when asked and usable (an error when asked
 * and not usable, never a silent fallback), "cpu" when asked, and for "auto" CUDA when a usable
 * GPU is found, else the CPU.
 */
public final class BackendFactory {
    private BackendFactory() {}

    /** The backend made, and one line saying which and why. */
    public record Choice(Backend backend, String reason) {}

    public static Choice create(String requested, ModelSpec spec, Task task, int chains, int threads) {
        switch (requested) {
            case "cpu":
                return new Choice(new CpuBackend(spec, task, chains, threads), "cpu backend (asked for), " + threads + " threads");
            case "cuda":
                throw new RunException(RunException.BAD_INPUT,
                        "--backend cuda: no usable GPU (the CUDA backend is not available in this build); use --backend cpu or auto");
            case "auto":
                return new Choice(new CpuBackend(spec, task, chains, threads), "cpu backend (auto: no usable GPU found), " + threads + " threads");
            default:
                throw new RunException(RunException.BAD_INPUT, "--backend " + requested + ": allowed values are cpu, cuda, auto");
        }
    }
}
