package org.nnpost.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.RunException;
import org.nnpost.spec.NnpostException;

/**
 * `nnpost plot RUN_DIR`: the panels and theory comparison of `nnpost reproduce` for any finished
 * sample run, read from its manifest and arrays; writes the PNGs and analysis.json into the run
 * directory.
 */
public final class PlotRun {
    private PlotRun() {}

    public record Result(Path dir, String text, List<Path> panels) {}

    public static Result execute(Path dir) {
        Path manifest = dir.resolve("manifest.json");
        if (!Files.isRegularFile(manifest))
            throw bad(dir, "has no manifest.json (allowed: a run directory written by nnpost sample or reproduce)");
        JsonNode root = Json.read(manifest);
        if (!"complete".equals(root.path("status").asText()))
            throw bad(dir, "run status is \"" + root.path("status").asText() + "\" (allowed: a complete run)");
        JsonNode p = root.path("parameters"), m = p.path("model"), t = p.path("task");
        if (m.path("L").asInt() < 1)
            throw bad(dir, "has no hidden layer (allowed: L >= 1; there is no kernel or activation to plot)");
        ModelSpec spec = new ModelSpec(m.path("L").asInt(), m.path("N").asInt(), m.path("N0").asInt(), m.path("m").asInt(),
                Phi.parse(m.path("phi").asText()), Scaling.parse(m.path("scaling").asText()), m.path("beta0").asDouble(),
                m.path("betaScaling").asBoolean(), m.path("sigmaW2").asDouble(), m.path("sigmaA2").asDouble());
        double[] weights = new double[spec.m()];
        for (int r = 0; r < weights.length; r++) weights[r] = t.path("classWeights").path(r).asDouble(1.0 / spec.m());
        TaskSpec task = new TaskSpec(t.path("kind").asText("orthogonal"), spec.N0(), t.path("P").asInt(), t.path("Ptest").asInt(),
                weights, t.path("fixedRatios").asBoolean(), t.path("yPlus").asDouble(), t.path("yMinus").asDouble(),
                t.path("testOverlap").asDouble(), t.path("dataSeed").asLong());
        JsonNode eta = p.path("sampler").path("eta");
        float eta0 = (float) (eta.isObject() && eta.size() > 0 ? eta.elements().next().asDouble() : eta.asDouble(Double.NaN));
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        RunAnalysis.Subject recipe = new RunAnalysis.Subject(name, spec.phi().id() + ", L = " + spec.L(), spec, task, eta0,
                p.path("sampler").path("steps").asLong());
        RunAnalysis.Result a = RunAnalysis.of(recipe, dir);
        Json.write(dir.resolve("analysis.json"), a.json());
        return new Result(dir, a.text(), a.panels());
    }

    private static RunException bad(Path dir, String what) {
        return new RunException(NnpostException.BAD_INPUT, dir + ": " + what);
    }
}
