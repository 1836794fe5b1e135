package org.nnpost.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.io.Json;
import org.nnpost.model.ModelSpec;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunException;
import org.nnpost.run.RunSettings;
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
        RunConfig run = RunSettings.recorded(root.path("parameters"), dir, manifest.toString());
        ModelSpec spec = run.model();
        if (spec.L() < 1)
            throw bad(dir, "has no hidden layer (allowed: L >= 1; there is no kernel or activation to plot)");
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        RunAnalysis.Subject recipe = new RunAnalysis.Subject(name, spec.phi().id() + ", L = " + spec.L(), run);
        RunAnalysis.Result a = RunAnalysis.of(recipe, dir);
        Json.write(dir.resolve("analysis.json"), a.json());
        return new Result(dir, a.text(), a.panels());
    }

    private static RunException bad(Path dir, String what) {
        return new RunException(NnpostException.BAD_INPUT, dir + ": " + what);
    }
}
