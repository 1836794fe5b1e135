package org.nnpost.output;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.io.Json;
import org.nnpost.spec.SpecException;

/**
 * Where a run directory stands, from its manifest and its lock: running (a live process holds
 * the lock; with the step reached, the rate and the time left), abandoned (the manifest says
 * running but nobody holds the lock: the process was killed or crashed), interrupted, failed,
 * diverged or complete.
 *
 * @param status    what the manifest says, with "running" turned into "abandoned" when no process holds the lock
 * @param step      the step reached as last recorded (heartbeat or checkpoint), or −1
 * @param steps     the run's steps
 * @param rate      steps per second as last recorded, or NaN
 * @param heartbeat when the run last said it was alive, or null
 * @param checkpoint the step of the last checkpoint, or −1
 */
public record RunStatus(String status, JsonNode manifest, long step, long steps, double rate, Instant heartbeat,
                        long checkpoint) {

    /**
     * Reads a run directory's standing.
     *
     * @throws SpecException one line naming the directory when it holds no readable manifest
     */
    public static RunStatus of(Path dir) {
        Path file = dir.resolve(Manifest.FILE);
        if (!Files.isDirectory(dir)) throw SpecException.input(dir.toString(), "is not a directory", "a run directory");
        if (!Files.isRegularFile(file))
            throw SpecException.input(dir.toString(), "has no manifest.json", "a run directory written by nnpost sample");
        JsonNode m;
        try {
            m = Json.read(file);
        } catch (RuntimeException e) {
            throw SpecException.input(file.toString(), "cannot be read (" + oneLine(e.getMessage()) + ")",
                    "the manifest nnpost sample wrote");
        }
        String status = m.path("status").asText("");
        if (status.equals(Manifest.RUNNING) && RunLock.state(dir) == RunLock.State.FREE) status = Manifest.ABANDONED;
        JsonNode p = m.path("progress");
        Instant beat = null;
        try {
            if (m.path("process").has("heartbeat")) beat = Instant.parse(m.path("process").path("heartbeat").asText());
        } catch (RuntimeException ignored) {
            // an unreadable time is shown as unknown
        }
        return new RunStatus(status, m, p.path("step").asLong(-1),
                p.path("steps").asLong(m.path("parameters").path("steps").asLong(-1)),
                p.path("steps_per_second").asDouble(Double.NaN), beat, m.path("checkpoint").path("step").asLong(-1));
    }

    /** One or two lines for a person: the status and what it means, what to do about it. */
    public String describe(Path dir) {
        StringBuilder s = new StringBuilder(dir + ": " + status);
        JsonNode proc = manifest.path("process");
        String where = proc.has("pid") ? " (pid " + proc.path("pid").asText() + " on " + proc.path("host").asText() + ")" : "";
        switch (status) {
            case Manifest.RUNNING -> {
                s.append(where);
                if (step >= 0) s.append(String.format(Locale.ROOT, ", step %d of %d", step, steps));
                if (rate > 0) {
                    s.append(String.format(Locale.ROOT, ", %.1f steps/s", rate));
                    if (step >= 0 && steps > step) s.append(", about ").append(duration((steps - step) / rate)).append(" left");
                }
                if (heartbeat != null)
                    s.append(", last heard of ").append(duration(Duration.between(heartbeat, Instant.now()).toMillis() / 1e3)).append(" ago");
            }
            case Manifest.ABANDONED -> {
                s.append(": its process").append(where).append(" is gone (killed or crashed)");
                if (step >= 0) s.append(" after step ").append(step).append(" of ").append(steps);
                s.append(checkpoint >= 0 ? "; last checkpoint at step " + checkpoint : "; no checkpoint");
                s.append("\n  resume with: nnpost resume ").append(dir);
            }
            case Manifest.INTERRUPTED -> {
                s.append(" at step ").append(manifest.path("interrupted_at_step").asLong(step)).append(" of ").append(steps);
                s.append("\n  resume with: nnpost resume ").append(dir);
            }
            case Manifest.FAILED -> {
                s.append(": ").append(oneLine(manifest.path("error").asText("no reason recorded")));
                if (checkpoint >= 0) s.append("\n  last checkpoint at step ").append(checkpoint).append("; resume with: nnpost resume ").append(dir);
            }
            case Manifest.DIVERGED -> s.append(" at step ").append(manifest.path("stopped_at_step").asText("?"))
                    .append(" (").append(manifest.path("divergence").size()).append(" chains); start again with a lower --eta");
            case Manifest.COMPLETE -> s.append(String.format(Locale.ROOT, ", %d steps in %.1f s", steps,
                    manifest.path("timings").path("total_s").asDouble(Double.NaN)));
            default -> s.append(" (not a status nnpost writes)");
        }
        return s.toString();
    }

    static String duration(double seconds) {
        if (!(seconds >= 0)) return "?";
        if (seconds < 120) return String.format(Locale.ROOT, "%.0f s", seconds);
        if (seconds < 7200) return String.format(Locale.ROOT, "%.0f min", seconds / 60);
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
