package org.nnpost.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.io.Json;
import org.nnpost.model.ModelSpec;

/**
 * manifest.json: every parameter of the run, seed, backend, versions, git commit, timings and
 * status. It is rewritten as the run goes: "running" first, then "diverged" or "failed", or
 * "complete" as the very last file written, so a complete manifest means every file is in.
 */
final class Manifest {
    static final String FILE = "manifest.json";

    private final Path file;
    private final ObjectNode root = Json.object();

    Manifest(Path dir, RunConfig config) {
        this.file = dir.resolve(FILE);
        root.put("status", "running");
        root.put("created", Instant.now().toString());
        root.set("parameters", parameters(config));
        ObjectNode v = root.putObject("versions");
        v.put("nnpost", nnpostVersion());
        v.put("java", System.getProperty("java.version"));
        v.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        String commit = gitCommit();
        if (commit == null) root.putNull("git_commit");
        else root.put("git_commit", commit);
        root.putNull("backend");
        root.putObject("timings");
    }

    ObjectNode root() { return root; }

    void backend(String description, String reason) {
        ObjectNode b = root.putObject("backend");
        b.put("description", description);
        b.put("reason", reason);
    }

    void timing(String key, double seconds) { Json.put((ObjectNode) root.get("timings"), key, seconds); }

    void status(String status) { root.put("status", status); }

    void write() { Json.write(file, root); }

    static ObjectNode parameters(RunConfig c) {
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

    static String nnpostVersion() {
        String v = Manifest.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }

    /** HEAD of the repository the run starts in, or null when there is none (or no git). */
    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String s = new String(out, StandardCharsets.US_ASCII).trim();
            return p.exitValue() == 0 && s.matches("[0-9a-f]{40}") ? s : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    static ArrayNode divergences(long[] divergedAt) {
        ArrayNode a = Json.array();
        for (int c = 0; c < divergedAt.length; c++)
            if (divergedAt[c] >= 0) a.addObject().put("chain", c).put("step", divergedAt[c]);
        return a;
    }
}
