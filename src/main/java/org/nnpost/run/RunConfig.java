package org.nnpost.run;

import java.nio.file.Path;

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
 */
public record RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, String backend, int threads,
                        Path outDir, boolean sigmaA2PerP, String progress) {
}
