package org.nnpost.run;

import java.nio.file.Path;

import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.model.ModelSpec;

/**
 * One fully validated `nnpost sample` request: the CLI builds it from flags and an optional
 * config file, and nothing past this point re-validates.
 *
 * @param backend      "cpu", "cuda" or "auto"
 * @param threads      CPU threads (results do not depend on it)
 * @param outDir       the run directory to create (must not exist, or be empty)
 * @param sigmaA2PerP  true when the user gave σ_a² per P (recorded; model holds the absolute value)
 * @param progress     "auto" (a bar on a terminal, lines otherwise), "bar", "lines" or "off"
 * @param cuda         the GPU backend's settings (device, TF32), used when it runs
 * @param devices      GPUs to split the chains across, or null for the one in {@code cuda}
 */
public record RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, String backend, int threads,
                        Path outDir, boolean sigmaA2PerP, String progress, CudaOptions cuda, int[] devices) {

    /** A run on one GPU at most. */
    public RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, String backend, int threads,
                     Path outDir, boolean sigmaA2PerP, String progress, CudaOptions cuda) {
        this(model, task, sampler, backend, threads, outDir, sigmaA2PerP, progress, cuda, null);
    }

    /** A run with the GPU backend's defaults (device 0, FP32). */
    public RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, String backend, int threads,
                     Path outDir, boolean sigmaA2PerP, String progress) {
        this(model, task, sampler, backend, threads, outDir, sigmaA2PerP, progress, CudaOptions.DEFAULT);
    }
}
