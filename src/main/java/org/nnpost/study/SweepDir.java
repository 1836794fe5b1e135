package org.nnpost.study;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.output.RunStatus;
import org.nnpost.output.Version;
import org.nnpost.spec.SpecException;

/**
 * A sweep's directory: {@value #STUDY} (the study as given, the expanded point list and each
 * point's status) and one ordinary run directory per point, named after it.
 *
 * <p>Several processes may write one sweep directory at once: the shards of a SLURM array, or a
 * sweep rerun while another still runs. Each point's run directory is written by one process only
 * (its run holds the directory's lock, {@code output/RunLock}), so the points never mix. Every
 * change to study.json is a read-modify-write made while holding an exclusive lock on
 * {@value #LOCK} (the operating system's, fcntl; released however the process ends), and the
 * file is replaced atomically, so concurrent shards neither lose each other's updates nor leave
 * a half-written file. The point directories are the truth: a status in study.json is what the
 * last process to touch the point saw, and every sweep and collect reads the point's own manifest
 * again ({@link #state}).
 */
final class SweepDir {
    static final String STUDY = "study.json", LOCK = ".study.lock";
    /** What --out takes. */
    static final String ALLOWED = "a new or empty directory, or the directory of the same study";

    /** The statuses a point can have: a run's own, or pending (nothing done yet). */
    static final String PENDING = "pending";

    private final Path dir;

    private SweepDir(Path dir) { this.dir = dir; }

    Path dir() { return dir; }

    Path file() { return dir.resolve(STUDY); }

    Path point(String name) { return dir.resolve(name); }

    /**
     * The directory of the study: made with study.json when new (or empty), or one that holds this
     * very study (else {@link StudyChanged}, naming what changed).
     */
    static SweepDir open(Path dir, Study study, List<Study.Point> points) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw bad(dir, "exists and is not a directory");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw bad(dir, "cannot be created (" + e.getMessage() + ")");
        }
        SweepDir d = new SweepDir(dir);
        d.locked(() -> {
            Path f = d.file();
            d.removeLeftovers();
            if (!Files.exists(f)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.anyMatch(p -> !p.getFileName().toString().equals(LOCK)))
                        throw bad(dir, "exists, is not empty and holds no " + STUDY + " (not a sweep's directory)");
                } catch (IOException e) {
                    throw bad(dir, "cannot be read (" + e.getMessage() + ")");
                }
                ObjectNode o = Json.object();
                o.put("format", 1);
                o.put("nnpost", Version.get());
                o.put("created", Instant.now().toString());
                o.set("study", study.given());
                ArrayNode a = o.putArray("points");
                for (Study.Point p : points) {
                    ObjectNode j = a.addObject();
                    j.put("index", p.index());
                    j.put("name", p.name());
                    ObjectNode values = j.putObject("values");
                    p.values().forEach((k, v) -> values.put(org.nnpost.run.Setting.fileKey(k), v));
                    j.put("status", PENDING);
                }
                Json.write(f, o);
            } else {
                List<String> changes = study.diff(d.study());
                if (!changes.isEmpty()) throw new StudyChanged(f, changes);
            }
        });
        return d;
    }

    /** A sweep's directory that exists (for collect and plot). */
    static SweepDir existing(Path dir) {
        if (!Files.isDirectory(dir)) throw SpecException.input(dir.toString(), "no such directory", "a sweep's directory");
        if (!Files.isRegularFile(dir.resolve(STUDY)))
            throw SpecException.input(dir.toString(), "holds no " + STUDY, "a sweep's directory, as nnpost sweep writes it");
        return new SweepDir(dir);
    }

    JsonNode read() {
        try {
            JsonNode j = Json.read(file());
            if (!j.isObject() || !j.path("study").isObject() || !j.path("points").isArray()) throw new IllegalStateException("no study or points");
            return j;
        } catch (RuntimeException e) {
            throw SpecException.input(file().toString(), "cannot be read (" + Study.oneLine(e.getMessage()) + ")",
                    "the " + STUDY + " nnpost sweep writes");
        }
    }

    /** The study the directory holds. */
    Study study() { return Study.of(read().path("study"), file().toString()); }

    /** The names of the points, in order. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        for (JsonNode p : read().path("points")) out.add(p.path("name").asText());
        return out;
    }

    /** Every point's entry of study.json by name, read once (a sweep of many points looks at all of them). */
    java.util.Map<String, JsonNode> recordedAll() {
        java.util.Map<String, JsonNode> out = new java.util.HashMap<>();
        for (JsonNode p : read().path("points")) out.put(p.path("name").asText(), p);
        return out;
    }

    /** The point's entry of study.json (status, error, ...), or an empty object. */
    JsonNode recorded(String name) {
        for (JsonNode p : read().path("points")) if (p.path("name").asText().equals(name)) return p;
        return Json.object();
    }

    /**
     * Where a point stands, from its run directory: complete, diverged, failed, interrupted,
     * abandoned or running (another process holds it); pending when it has no run yet, or failed
     * when study.json records a failure before its run directory was made.
     */
    String state(String name, JsonNode recorded) {
        Path p = point(name);
        if (!Files.isRegularFile(p.resolve(Manifest.FILE)))
            return Manifest.FAILED.equals(recorded.path("status").asText()) && recorded.has("error") ? Manifest.FAILED : PENDING;
        try {
            return RunStatus.of(p).status();
        } catch (SpecException e) {
            return Manifest.FAILED;
        }
    }

    /** Sets fields of a point's entry in study.json, under the lock. */
    void record(String name, Consumer<ObjectNode> change) {
        locked(() -> {
            ObjectNode root = (ObjectNode) read();
            for (JsonNode p : root.path("points"))
                if (p.path("name").asText().equals(name)) {
                    ObjectNode o = (ObjectNode) p;
                    o.remove(List.of("error", "exit_code"));
                    change.accept(o);
                    o.put("updated", Instant.now().toString());
                }
            Json.write(file(), root);
        });
    }

    /**
     * Removes what a process killed while writing study.json left (its temporary file). Only
     * under the lock, which every writer of study.json holds: no live writer owns one then.
     */
    private void removeLeftovers() {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith("." + STUDY + ".") && n.endsWith(org.nnpost.io.AtomicFile.TMP_SUFFIX)) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw bad(dir, "cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Serialises the writers of study.json: threads of this process, then processes by the lock file. */
    private void locked(Runnable body) {
        synchronized (SweepDir.class) {
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = ch.lock()) {
                body.run();
            } catch (IOException e) {
                throw bad(dir, "cannot be locked (" + e.getMessage() + ")");
            }
        }
    }

    static SpecException bad(Path dir, String what) {
        return SpecException.input("--out " + dir, what, ALLOWED);
    }
}
