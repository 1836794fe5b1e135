package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.cli.Main;
import org.nnpost.io.CrashPoint;
import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.run.ChildRun;

/**
 * A sweep of 3 × 3 × 2 tiny points stopped in the middle, however it stops (SIGKILL at a moment
 * seen from outside, a kill -9 inside a checkpoint's writing, SIGTERM), and run again with the
 * same command, ends with the same sweep.csv as a sweep that never stopped, byte for byte: the
 * complete points are left alone, the one that was running resumes from its checkpoint (the CPU
 * backend resumes to the same bytes), the rest run. sweep.csv holds no timings.
 */
class SweepRestartTest {
    @TempDir static Path tmp;
    static Path study;
    static byte[] reference;

    /**
     * 18 points: N × phi × 2 seeds. Two checkpoints a point, at the end of burn-in (step 150) and
     * at the end (600), so a point killed in its middle has one.
     */
    static final String STUDY = """
            {"base": {"L": 1, "N0": 8, "P": 6, "Ptest": 4, "chains": 2, "steps": 600, "burn_in": 150, "every": 10,
                      "keep": 3, "eta": 0.01, "checkpoint_every": "1000", "backend": "cpu", "threads": 1},
             "grid": {"N": [6, 8, 10], "phi": ["linear", "erf", "relu"]},
             "seeds": 2}
            """;

    record Outcome(int code, String out, String err) {}

    static Outcome sweep(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        String[] a = new String[args.length + 1];
        a[0] = "sweep";
        System.arraycopy(args, 0, a, 1, args.length);
        int code = Main.run(a, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void unbrokenSweep() throws IOException {
        study = Files.writeString(tmp.resolve("study.json"), STUDY);
        Path dir = tmp.resolve("unbroken");
        Outcome r = sweep(study.toString(), "--out", dir.toString(), "--progress", "off");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("18 complete"), r.out());
        reference = Files.readAllBytes(dir.resolve(SweepTable.CSV));
        String csv = new String(reference, StandardCharsets.UTF_8);
        assertEquals(19, csv.split("\r\n").length, "a header and 18 rows");
        assertTrue(!csv.contains("_s,") && !csv.contains("seconds"), "no timings in sweep.csv: " + csv.lines().findFirst().orElse(""));
    }

    /** The sweep run again to its end gives the unbroken sweep's table, byte for byte. */
    static Outcome finishAndCompare(Path dir, String why) throws IOException {
        Outcome r = sweep(study.toString(), "--out", dir.toString(), "--progress", "off");
        assertEquals(0, r.code(), why + ": " + r.out() + r.err());
        assertTrue(r.out().contains("18 complete"), r.out());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve(SweepTable.CSV)), why + ": sweep.csv differs from the unbroken sweep's");
        for (JsonNode p : Json.read(dir.resolve("study.json")).path("points"))
            assertEquals(Manifest.COMPLETE, p.path("status").asText(), why + ": " + p);
        return r;
    }

    static long complete(Path dir) throws IOException {
        long n = 0;
        if (!Files.isDirectory(dir)) return 0;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Path m = p.resolve(Manifest.FILE);
                if (Files.isRegularFile(m) && Files.readString(m).contains("\"status\" : \"complete\"")) n++;
            }
        }
        return n;
    }

    /** A point whose manifest says running and that has a checkpoint, or null. */
    static Path runningWithCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return null;
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                Path m = p.resolve(Manifest.FILE);
                if (!Files.isRegularFile(m)) continue;
                String text = Files.readString(m);
                if (text.contains("\"status\" : \"running\"") && text.contains("\"checkpoint\" :")) return p;
            }
        } catch (IOException | RuntimeException e) {
            return null;   // a file renamed while listed: look again
        }
        return null;
    }

    @Test
    void killedWithSigkillInTheMiddleAndRerunGivesTheSameTable() throws Exception {
        Path dir = tmp.resolve("sigkill");
        Process p = ChildRun.start(tmp.resolve("sigkill.logs"), List.of(), "sweep", study.toString(), "--out", dir.toString(),
                "--progress", "off");
        Path seen = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (complete(dir) >= 4 && (seen = runningWithCheckpoint(dir)) != null) break;
            Thread.sleep(5);
        }
        assertTrue(p.isAlive(), "the sweep ended before it was killed");
        p.destroyForcibly();   // SIGKILL
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        long before = complete(dir);
        assertTrue(before >= 4 && before < 18, before + " points complete when killed");
        boolean killedRunning = seen != null && Json.read(seen.resolve(Manifest.FILE)).path("status").asText().equals(Manifest.RUNNING);
        Outcome r = finishAndCompare(dir, "killed with SIGKILL after " + before + " points");
        if (killedRunning)
            assertTrue(r.out().contains(seen.getFileName() + ": resumed (abandoned)"), "the killed point resumes: " + r.out());
    }

    @Test
    void killedInsideACheckpointsWritingAndRerunGivesTheSameTable() throws Exception {
        // the 20th checkpoint of the process (two a point): the tenth point's last, half written, so
        // that point goes on from its checkpoint at the end of burn-in
        Path dir = tmp.resolve("crash");
        ChildRun.Ended e = ChildRun.run(tmp.resolve("crash.logs"), List.of("-D" + CrashPoint.PROPERTY + "=checkpoint-write@20"),
                "sweep", study.toString(), "--out", dir.toString(), "--progress", "off");
        assertEquals(137, e.code(), e.out() + e.err());
        long before = complete(dir);
        assertTrue(before >= 1 && before < 18, before + " complete");
        Outcome r = finishAndCompare(dir, "killed inside a checkpoint");
        assertEquals(1, r.out().lines().filter(l -> l.endsWith(": resumed (abandoned)")).count(), r.out());
        assertTrue(r.out().contains(before + " complete, 1 abandoned, " + (17 - before) + " pending"), r.out());
    }

    @Test
    void stoppedBySigtermSaysHowToGoOnAndRerunGivesTheSameTable() throws Exception {
        Path dir = tmp.resolve("sigterm");
        Path logs = tmp.resolve("sigterm.logs");
        Process p = ChildRun.start(logs, List.of(), "sweep", study.toString(), "--out", dir.toString(), "--progress", "off");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
        while (System.nanoTime() < deadline && p.isAlive() && !(complete(dir) >= 2 && runningWithCheckpoint(dir) != null)) Thread.sleep(5);
        assertTrue(p.isAlive(), "the sweep ended before the signal");
        p.destroy();   // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        ChildRun.Ended e = ChildRun.ended(logs, p);
        assertEquals(143, e.code(), e.out() + e.err());
        String line = e.err().strip();
        assertEquals(1, line.lines().count(), "one line: " + e.err());
        assertTrue(line.matches("nnpost sweep: sweep interrupted (at point .+ \\(interrupted at step \\d+ of 600 \\(checkpoint written\\).*\\)|between points); "
                + "\\d+ of the 18 points of this run are complete; go on with: nnpost sweep .+--out .+"), line);
        finishAndCompare(dir, "stopped by SIGTERM");
    }
}
