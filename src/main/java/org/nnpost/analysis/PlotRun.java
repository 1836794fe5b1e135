package org.nnpost.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.report.Look;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.RunLayout;
import org.nnpost.output.RunLock;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.spec.SpecException;

/**
 * `nnpost plot RUN_DIR`: the panels and theory comparison of `nnpost reproduce` for any finished
 * sample run, read from its manifest and arrays; writes the PNGs and analysis.json into the run
 * directory.
 *
 * <p>What it reads is checked before anything is drawn: the manifest (present, whole JSON, status
 * "complete", every setting that shapes the run recorded and valid), then every file the run's
 * {@link RunLayout} lists (present, a whole .npy file of the listed element type and shape), so
 * a damaged directory ends with one line naming the file and what is wrong, and no panel.
 */
public final class PlotRun {
    private PlotRun() {}

    /** What plot accepts, for messages. */
    static final String RUN_DIR = "a run directory written by nnpost sample or reproduce";

    public record Result(Path dir, String text, List<Path> panels) {}

    public static Result execute(Path dir) {
        return execute(dir, Look.DEFAULT);
    }

    /** The panels in this look (size, dpi, png or svg); a diverged run gets its trace panels, where divergence shows. */
    public static Result execute(Path dir, Look look) {
        if (diverged(dir)) return divergedRun(dir, look);
        Checked c = open(dir);
        ModelSpec spec = c.run().model();
        if (spec.L() < 1)
            throw SpecException.input(dir.toString(), "has no hidden layer", "L >= 1; there is no kernel or activation to plot");
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        RunAnalysis.Subject recipe = new RunAnalysis.Subject(name, spec.phi().id() + ", L = " + spec.L(), c.run());
        RunAnalysis.Result a = RunAnalysis.of(recipe, dir, look);
        Json.write(dir.resolve("analysis.json"), a.json());
        return new Result(dir, a.text(), a.panels());
    }

    private static boolean diverged(Path dir) {
        Path m = dir.resolve(RunLayout.MANIFEST);
        if (!Files.isRegularFile(m)) return false;
        try {
            return "diverged".equals(Json.read(m).path("status").asText());
        } catch (RuntimeException e) {
            return false;   // open() says what is wrong with it
        }
    }

    /**
     * A run whose chains diverged has its traces up to the divergence and the step each chain
     * diverged at: the panels that show it (trace, rank, autocorrelation per trace).
     */
    private static Result divergedRun(Path dir, Look look) {
        Path manifest = dir.resolve(RunLayout.MANIFEST);
        JsonNode root = RunFiles.readJson(manifest, "the manifest.json nnpost sample writes");
        RunConfig run = RunSettings.recorded(root.path("parameters"), dir, manifest.toString());
        int C = run.sampler().chains();
        long[] at = readArray(dir.resolve(RunLayout.DIVERGENCE), Npy.Dtype.INT64, C).longs();
        StringBuilder which = new StringBuilder();
        for (int c = 0; c < C; c++) if (at[c] >= 0) which.append(which.length() > 0 ? ", " : "").append("chain ").append(c).append(" at step ").append(at[c]);
        if (which.length() == 0)
            throw SpecException.input(manifest.toString(), "status \"diverged\" but " + RunLayout.DIVERGENCE + " names no chain that diverged",
                    "a manifest and arrays nnpost wrote for one run");
        String label = run.model().phi().id() + ", L = " + run.model().L() + ", diverged";
        RunAnalysis.Panels panels = new RunAnalysis.Panels(dir, look);
        for (String name : org.nnpost.backend.Traces.names(run.model())) {
            Npy.Array a = readArray(dir.resolve(RunLayout.trace(name)), Npy.Dtype.FLOAT64, C);
            RunAnalysis.traces(panels, name, name, a.doubles(), C, (int) a.shape()[1], label, run.sampler().burnIn(), run.sampler().every());
        }
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
        o.put("run", dir.toAbsolutePath().normalize().getFileName().toString());
        o.put("status", "diverged");
        o.put("diverged", which.toString());
        o.set("parameters", root.path("parameters").deepCopy());
        o.set("panels", panels.json());
        Json.write(dir.resolve("analysis.json"), o);
        return new Result(dir, "the run diverged (" + which + "): " + (panels.files.isEmpty()
                ? "no draw was made before it, so there is no trace to plot\n"
                : "trace, rank and autocorrelation panels of the draws before it\n"), panels.files);
    }

    /** An array of a diverged run: whole, of its element type, one row per chain. */
    private static Npy.Array readArray(Path f, Npy.Dtype dtype, int chains) {
        Npy.Array a;
        try {
            a = Npy.read(f);
        } catch (RuntimeException e) {
            throw SpecException.input(f.toString(), "unreadable (" + e.getMessage() + ")", dtype.numpyName + " [chain, ...], as the run wrote it");
        }
        if (a.dtype() != dtype || a.shape().length == 0 || a.shape()[0] != chains)
            throw SpecException.input(f.toString(), Npy.Dtype.name(a.descr()) + " " + java.util.Arrays.toString(a.shape()),
                    dtype.numpyName + " [chain = " + chains + ", ...], as the run wrote it");
        return a;
    }

    /** A complete run directory, its settings as its manifest records them, and its files, every one checked. */
    record Checked(Path dir, JsonNode manifest, RunConfig run, RunFiles files) {}

    /**
     * Checks a run directory before anything reads it: the manifest whole and "complete", the
     * settings valid, every file of the layout present and whole; one line naming the fault otherwise.
     */
    static Checked open(Path dir) {
        if (!Files.exists(dir)) throw SpecException.input(dir.toString(), "no such directory", RUN_DIR);
        if (!Files.isDirectory(dir)) throw SpecException.input(dir.toString(), "not a directory", RUN_DIR);
        Path manifest = dir.resolve(RunLayout.MANIFEST);
        if (!Files.exists(manifest)) throw SpecException.input(manifest.toString(), "missing", RUN_DIR + ", with its manifest");
        JsonNode root = RunFiles.readJson(manifest, "the manifest.json nnpost sample writes");
        status(dir, manifest, root);
        JsonNode parameters = root.path("parameters");
        if (!parameters.isObject())
            throw SpecException.input(manifest.toString(), "no \"parameters\" object", "the manifest.json nnpost sample writes");
        RunConfig run = RunSettings.recorded(parameters, dir, manifest.toString());
        RunFiles files = new RunFiles(dir, RunLayout.of(run.model(), run.task(), run.sampler()));
        files.checkAll();
        return new Checked(dir, root, run, files);
    }

    /** Only a complete run has every file; any other status says why there is nothing (or not all) to plot. */
    private static void status(Path dir, Path manifest, JsonNode root) {
        JsonNode s = root.get("status");
        String allowed = "\"complete\", a run that finished";
        if (s == null || !s.isTextual()) throw SpecException.input(manifest.toString(), "no \"status\"", allowed);
        String why = switch (s.asText()) {
            case "complete" -> null;
            case "running" -> RunLock.state(dir) == RunLock.State.HELD ? "the run is still going (nnpost status " + dir + ")"
                    : "abandoned: the process that ran it is gone (killed or crashed); nnpost resume " + dir + " finishes it";
            case "interrupted" -> "interrupted before it finished; nnpost resume " + dir + " finishes it";
            case "diverged" -> "its chains diverged, so it has no kernels, predictor or kept draws";
            case "failed" -> "the run failed" + (root.path("error").isTextual() ? ": " + root.path("error").asText() : "")
                    + "; nnpost resume " + dir + " can finish it";
            default -> "a status nnpost does not write";
        };
        if (why != null) throw SpecException.input(manifest.toString(), "status \"" + s.asText() + "\": " + why, allowed);
    }
}
