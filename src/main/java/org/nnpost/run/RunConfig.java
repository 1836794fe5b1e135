package org.nnpost.run;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.model.ModelSpec;
import org.nnpost.sampler.SamplerSpec;

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

    /** Every parameter, as manifest.json records it. */
    public ObjectNode parameters() {
        RunConfig c = this;
        ObjectNode p = Json.object();
        ModelSpec m = c.model();
        ObjectNode model = p.putObject("model");
        model.put("L", m.L());
        model.put("N", m.N());
        model.put("N0", m.N0());
        model.put("m", m.m());
        model.put("phi", m.phi().id());
        model.put("scaling", m.scaling().id());
        model.put("gamma", m.gamma());
        model.put("beta0", m.beta0());
        model.put("betaScaling", m.betaScaling());
        model.put("beta", m.beta());
        model.put("sigmaW2", m.sigmaW2());
        model.put("sigmaA2", m.sigmaA2());
        model.put("sigmaA2PerP", c.sigmaA2PerP());

        TaskSpec t = c.task();
        ObjectNode task = p.putObject("task");
        task.put("kind", t.kind());
        task.put("N0", t.N0());
        task.put("P", t.P());
        task.put("Ptest", t.Ptest());
        task.set("classWeights", Json.doubles(t.classWeights()));
        task.put("fixedRatios", t.fixedRatios());
        task.put("yPlus", t.yPlus());
        task.put("yMinus", t.yMinus());
        task.put("testOverlap", t.testOverlap());
        task.put("dataSeed", t.dataSeed());

        SamplerSpec s = c.sampler();
        ObjectNode sampler = p.putObject("sampler");
        sampler.put("algorithm", s.algorithm());
        ObjectNode eta = sampler.putObject("eta");
        for (int g = 0; g < s.eta().length; g++) eta.put(m.groupName(g), s.eta()[g]);
        sampler.put("chains", s.chains());
        sampler.put("steps", s.steps());
        sampler.put("burnIn", s.burnIn());
        sampler.put("every", s.every());
        sampler.put("keepDraws", s.keepDraws());
        sampler.put("draws", s.draws());
        // the seed is a 32-bit unsigned word: record the value the user gave, not its signed form
        sampler.put("seed", Integer.toUnsignedLong(s.seed()));

        p.put("backend", c.backend());
        p.put("threads", c.threads());
        p.put("outDir", c.outDir().toString());
        p.put("progress", c.progress());
        return p;
    }
}
