package org.nnpost.output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.io.Json;

/**
 * manifest.json: every parameter of the run, seed, backend, versions, git commit, timings and
 * status. It is rewritten as the run goes: "running" first, then "diverged" or "failed", or
 * "complete" as the very last file written, so a complete manifest means every file is in.
 *
 * <p>{@code parameters} holds the run's settings flat, under the keys a config file uses, so
 * {@code nnpost sample --config} takes it back unchanged; {@code derived} holds what follows
 * from them (β, γ, the absolute σ_a², the number of draws), {@code output} where the run wrote.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";

    /** The statuses a manifest can hold; "abandoned" is what a reader calls "running" with nobody holding the lock. */
    public static final String RUNNING = "running", COMPLETE = "complete", DIVERGED = "diverged", FAILED = "failed",
            INTERRUPTED = "interrupted", ABANDONED = "abandoned";

    private final Path file;
    private final ObjectNode root;

    private Manifest(Path file, ObjectNode root) {
        this.file = file;
        this.root = root;
    }

    /** The manifest of an existing run directory, to go on writing it (a resumed run). */
    public static Manifest open(Path dir) {
        return new Manifest(dir.resolve(FILE), (ObjectNode) Json.read(dir.resolve(FILE)));
    }

    /**
     * @param parameters every setting of the run, flat, under config-file keys
     * @param derived    what follows from the settings, for readers who would otherwise recompute it
     * @param output     where the run writes and how it shows progress
     */
    public Manifest(Path dir, ObjectNode parameters, ObjectNode derived, ObjectNode output) {
        this.file = dir.resolve(FILE);
        this.root = Json.object();
        root.put("status", "running");
        root.put("created", Instant.now().toString());
        root.set("parameters", parameters);
        root.set("derived", derived);
        root.set("output", output);
        ObjectNode v = root.putObject("versions");
        v.put("nnpost", Version.get());
        v.put("build", Version.build());
        v.put("java", System.getProperty("java.version"));
        v.put("java_vm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        String commit = gitCommit();
        if (commit == null) root.putNull("git_commit");
        else root.put("git_commit", commit);
        root.putNull("backend");
        root.putObject("timings");
    }

    public ObjectNode root() { return root; }

    public void backend(String description, String reason) {
        ObjectNode b = root.putObject("backend");
        b.put("description", description);
        b.put("reason", reason);
    }

    public void timing(String key, double seconds) { Json.put((ObjectNode) root.get("timings"), key, seconds); }

    public void status(String status) { root.put("status", status); }

    public String status() { return root.path("status").asText(); }

    /** Who runs the run: pid, host, start time (the lock's holder), and a heartbeat kept fresh while it runs. */
    public void process(ObjectNode holder) {
        ObjectNode p = holder.deepCopy();
        p.put("heartbeat", Instant.now().toString());
        root.set("process", p);
    }

    /** Where the run stands: step reached of all, its rate, and a fresh heartbeat. */
    public void progress(long step, long steps, double stepsPerSecond) {
        ObjectNode p = root.putObject("progress");
        p.put("step", step);
        p.put("steps", steps);
        Json.put(p, "steps_per_second", stepsPerSecond);
        if (root.get("process") instanceof ObjectNode proc) proc.put("heartbeat", Instant.now().toString());
    }

    /** The last checkpoint: its step, when, its size and what writing it took; and how many so far. */
    public void checkpoint(long step, long bytes, double seconds, int count, double totalSeconds) {
        ObjectNode c = root.putObject("checkpoint");
        c.put("step", step);
        c.put("time", Instant.now().toString());
        c.put("bytes", bytes);
        Json.put(c, "seconds", seconds);
        c.put("count", count);
        Json.put(c, "total_seconds", totalSeconds);
    }

    /** A resumed run says where it went on from, when, and on what. */
    public void resumed(long step, String backend) {
        com.fasterxml.jackson.databind.JsonNode r = root.get("resumed");
        ArrayNode a = r instanceof ArrayNode x ? x : root.putArray("resumed");
        a.addObject().put("step", step).put("time", Instant.now().toString()).put("backend", backend);
    }

    public void write() { Json.write(file, root); }

    /** HEAD of the repository the run starts in, or null when there is none (or no git). */
    public static String gitCommit() {
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

    public static ArrayNode divergences(long[] divergedAt) {
        ArrayNode a = Json.array();
        for (int c = 0; c < divergedAt.length; c++)
            if (divergedAt[c] >= 0) a.addObject().put("chain", c).put("step", divergedAt[c]);
        return a;
    }
}
