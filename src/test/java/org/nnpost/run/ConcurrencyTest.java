package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.output.OutputDir;

/**
 * One run per directory: a directory is claimed for a run's life, so a second run into it is
 * refused (exit code 2, naming it and the run that holds it), two runs started together into
 * one directory never mix their files, and directories named by the clock never collide.
 */
class ConcurrencyTest {
    @TempDir Path tmp;

    static String[] tiny(Path out, String L, String steps) {
        List<String> a = new ArrayList<>(List.of("sample", "--backend", "cpu", "--threads", "1", "--progress", "off",
                "--L", L, "--N", "8", "--N0", "8", "--P", "6", "--Ptest", "3", "--chains", "2", "--steps", steps,
                "--burn-in", "20", "--every", "4", "--keep", "2"));
        if (out != null) a.addAll(List.of("--out", out.toString()));
        return a.toArray(String[]::new);
    }

    @Test
    void aSecondRunIntoADirectoryInUseIsRefusedNamingItAndItsHolder() throws Exception {
        Path dir = tmp.resolve("shared");
        CountDownLatch running = new CountDownLatch(1), tried = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = new Thread(() -> {
            try {
                SampleRun.execute(RunSettings.config(ResumeTest.SettingsFor.args(tiny(dir, "1", "400"))), new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long s, double l, double r) {
                        running.countDown();
                        try {
                            tried.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                });
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        first.start();
        assertTrue(running.await(60, TimeUnit.SECONDS), "the first run did not start");
        ResumeTest.Outcome second = ResumeTest.main(tiny(dir, "1", "400"));
        tried.countDown();
        first.join(60_000);
        assertEquals(null, failure.get());
        assertEquals(2, second.code(), second.err());
        assertEquals(1, second.err().lines().count(), second.err());
        assertTrue(second.err().contains("--out " + dir) && second.err().contains("is in use by another run (pid "), second.err());
        assertEquals(Manifest.COMPLETE, Json.read(dir.resolve("manifest.json")).path("status").asText());
    }

    /** Two processes with one --out, started together: one runs, the other is refused, and the files are all the winner's. */
    @Test
    void twoRunsStartedTogetherIntoOneDirectoryNeverMix() throws Exception {
        Path dir = tmp.resolve("race");
        Process a = ChildRun.start(tmp.resolve("a.logs"), List.of(), tiny(dir, "1", "300"));
        Process b = ChildRun.start(tmp.resolve("b.logs"), List.of(), tiny(dir, "3", "300"));
        assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
        ChildRun.Ended ea = ChildRun.ended(tmp.resolve("a.logs"), a), eb = ChildRun.ended(tmp.resolve("b.logs"), b);
        List<Integer> codes = new ArrayList<>(List.of(ea.code(), eb.code()));
        codes.sort(null);
        assertEquals(List.of(0, 2), codes, "a: " + ea.err() + " b: " + eb.err());
        ChildRun.Ended loser = ea.code() == 2 ? ea : eb;
        assertEquals(1, loser.err().lines().count(), loser.err());
        assertTrue(loser.err().contains(dir.toString()), loser.err());
        JsonNode m = Json.read(dir.resolve("manifest.json"));
        assertEquals(Manifest.COMPLETE, m.path("status").asText());
        int L = m.path("parameters").path("L").asInt();
        try (Stream<Path> s = Files.list(dir)) {
            List<String> kernels = s.map(p -> p.getFileName().toString()).filter(f -> f.matches("kernel_l\\d_train\\.npy")).toList();
            assertEquals(L, kernels.size(), "kernel files of the run the manifest describes (L = " + L + "): " + kernels);
        }
    }

    @Test
    void directoriesNamedByTheClockNeverCollide() throws IOException, InterruptedException {
        Path stamp = tmp.resolve("runs").resolve("20261130-120000");
        Path first = OutputDir.claim(stamp, true), second = OutputDir.claim(stamp, true);
        assertEquals(stamp, first);
        assertEquals(stamp.resolveSibling("20261130-120000-2"), second);
        // two real runs without --out, started together in one working directory
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Process a = ChildRun.start(cwd.resolve("a.logs"), List.of(), tiny(null, "1", "100"));
        Process b = ChildRun.start(cwd.resolve("b.logs"), List.of(), tiny(null, "1", "100"));
        assertTrue(a.waitFor(120, TimeUnit.SECONDS) && b.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, a.exitValue(), Files.readString(cwd.resolve("a.logs/err.txt")));
        assertEquals(0, b.exitValue(), Files.readString(cwd.resolve("b.logs/err.txt")));
        List<Path> runs;
        try (Stream<Path> s = Files.list(cwd.resolve("runs"))) {
            runs = s.sorted().toList();
        }
        assertEquals(2, runs.size(), runs.toString());
        assertNotEquals(runs.get(0), runs.get(1));
        for (Path r : runs) assertEquals(Manifest.COMPLETE, Json.read(r.resolve("manifest.json")).path("status").asText(), r.toString());
    }
}
