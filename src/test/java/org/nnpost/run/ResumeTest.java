package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.cli.Main;
import org.nnpost.io.Json;
import org.nnpost.output.Checkpoint;
import org.nnpost.output.Manifest;
import org.nnpost.output.RunStatus;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;

/**
 * A run that stops, however it stops (SIGINT or SIGTERM, kill -9 at any moment, including in the
 * middle of a checkpoint and of the final writes), resumes to the same bytes as a run that never
 * stopped: every array of the finished directory, on another thread count too. The noise is
 * addressed by (seed, chain, step) and the checkpoint holds the rest, so nothing less than
 * equality is expected.
 */
class ResumeTest {
    @TempDir static Path tmp;
    static Path reference;

    /** MALA (so acceptance counts are saved and restored) on two hidden layers (two kernels). */
    static final List<String> RUN = List.of("--backend", "cpu", "--progress", "off", "--L", "2", "--phi", "erf",
            "--N", "12", "--N0", "16", "--P", "10", "--Ptest", "6", "--chains", "3", "--sampler", "mala",
            "--eta", "0.01", "--steps", "1200", "--burn-in", "400", "--every", "5", "--keep", "4", "--seed", "9",
            "--checkpoint-every", "100");

    static String[] sample(Path out, String threads, String... more) {
        List<String> a = new ArrayList<>(List.of("sample"));
        a.addAll(RUN);
        a.addAll(List.of("--threads", threads, "--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    record Outcome(int code, String out, String err) {}

    static Outcome main(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void unbrokenRun() {
        reference = tmp.resolve("reference");
        Outcome r = main(sample(reference, "2"));
        assertEquals(0, r.code(), r.err());
    }

    /** Every file of the unbroken run is there, the arrays byte for byte, the summary but for timings. */
    static void assertSameAsReference(Path dir, String why) throws IOException {
        assertEquals(names(reference), names(dir), why + ": the files");
        for (String f : names(reference))
            if (f.endsWith(".npy"))
                assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(dir.resolve(f)), why + ": " + f);
        assertEquals(withoutTimes(Json.read(reference.resolve("summary.json"))), withoutTimes(Json.read(dir.resolve("summary.json"))),
                why + ": summary.json");
        JsonNode m = Json.read(dir.resolve("manifest.json"));
        assertEquals(Manifest.COMPLETE, m.path("status").asText(), why);
        assertEquals(((ObjectNode) Json.read(reference.resolve("manifest.json")).path("parameters")).deepCopy().without("threads"),
                ((ObjectNode) m.path("parameters")).deepCopy().without("threads"), why + ": parameters");
    }

    static JsonNode withoutTimes(JsonNode s) {
        ObjectNode o = s.deepCopy();
        o.remove(List.of("timings", "steps_per_second", "chain_steps_per_second", "checkpoints"));
        return o;
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void anInterruptedRunResumesToTheSameBytesOnAnotherThreadCount() throws IOException {
        Path dir = tmp.resolve("interrupted");
        Interrupts.clear();
        NnpostException e = assertThrows(NnpostException.class, () -> SampleRun.execute(
                RunSettings.config(SettingsFor.args(sample(dir, "2"))), new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long step, double l, double r) { if (step >= 500) Interrupts.request(Interrupts.SIGTERM); }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                }));
        assertEquals(143, e.exitCode());
        assertTrue(e.getMessage().matches("interrupted at step \\d+ of 1200 \\(checkpoint written\\); resume with: nnpost resume .*"),
                e.getMessage());
        assertEquals(Manifest.INTERRUPTED, RunStatus.of(dir).status());
        assertTrue(names(dir).stream().noneMatch(f -> f.startsWith(".") || f.endsWith(".partial")), names(dir).toString());
        Outcome r = main("resume", dir.toString(), "--threads", "1", "--progress", "off");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run complete: " + dir), r.out());
        assertSameAsReference(dir, "interrupted at step 500, resumed on 1 thread");
        assertEquals("1", Json.read(dir.resolve("manifest.json")).path("resumed").size() + "");
    }

    /**
     * kill -9 (Runtime.halt, exit code 137) at fixed places (half-way through writing a
     * checkpoint; with a checkpoint complete but not yet named; after the final arrays, before
     * the kept draws are moved in; with everything in place but the manifest) and at random times:
     * each resumes to the unbroken run's bytes.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"checkpoint-write@3", "checkpoint-named@5", "final-writes@1", "published@1"})
    void aRunKilledAtACrashPointResumesToTheSameBytes(String point) throws Exception {
        Path dir = tmp.resolve("crash-" + point.replace('@', '-'));
        ChildRun.Ended e = ChildRun.run(dir.resolveSibling(dir.getFileName() + ".logs"), List.of("-D" + org.nnpost.io.CrashPoint.PROPERTY + "=" + point),
                sample(dir, "2"));
        assertEquals(137, e.code(), "killed at " + point + ": " + e.err());
        assertEquals(Manifest.ABANDONED, RunStatus.of(dir).status(), point);
        Outcome r = main("resume", dir.toString(), "--progress", "off");
        assertEquals(0, r.code(), r.err());
        assertSameAsReference(dir, "killed at " + point);
    }

    @Test
    void aRunKilledAtRandomTimesResumesToTheSameBytes() throws Exception {
        Random rnd = new Random(20261130);
        long started = System.nanoTime();
        ChildRun.Ended whole = ChildRun.run(tmp.resolve("timing.logs"), List.of(), sample(tmp.resolve("timing"), "2"));
        assertEquals(0, whole.code(), whole.err());
        double seconds = (System.nanoTime() - started) * 1e-9;
        for (int k = 0; k < 3; k++) {
            Path dir = tmp.resolve("killed-" + k);
            Process p = ChildRun.start(tmp.resolve("killed-" + k + ".logs"), List.of(), sample(dir, "2"));
            long wait = (long) (1000 * seconds * (0.3 + 0.6 * rnd.nextDouble()));
            boolean ended = p.waitFor(wait, TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly();   // SIGKILL
                p.waitFor(30, TimeUnit.SECONDS);
            }
            if (Files.isRegularFile(dir.resolve("manifest.json")) && !RunStatus.of(dir).status().equals(Manifest.COMPLETE)) {
                assertEquals(Manifest.ABANDONED, RunStatus.of(dir).status(), "killed after " + wait + " ms");
                Outcome r = main("resume", dir.toString(), "--progress", "off");
                assertEquals(0, r.code(), r.err());
            } else if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                continue;   // killed before the run began: there is nothing to resume, a new run starts over
            }
            assertSameAsReference(dir, "killed after " + wait + " ms");
        }
    }

    /** SIGTERM to a real process: a checkpoint, status interrupted, one line saying how to resume, exit code 143. */
    @Test
    void sigtermToARunningProcessCheckpointsAndExits143() throws Exception {
        Path dir = tmp.resolve("sigterm"), logs = tmp.resolve("sigterm.logs");
        Process p = ChildRun.start(logs, List.of(), sample(dir, "2"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !started(dir)) Thread.sleep(20);
        assertTrue(started(dir), "the run did not start within 60 s");
        p.destroy();   // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        ChildRun.Ended e = ChildRun.ended(logs, p);
        if (e.code() == 0) return;   // it finished before the signal came: nothing to check (a fast machine)
        assertEquals(143, e.code(), e.err());
        List<String> err = e.err().lines().toList();
        assertEquals(1, err.size(), e.err());
        assertTrue(err.get(0).matches("nnpost sample: interrupted at step \\d+ of 1200 \\(checkpoint written\\); resume with: nnpost resume .*"),
                err.get(0));
        assertEquals(Manifest.INTERRUPTED, RunStatus.of(dir).status());
        Outcome r = main("resume", dir.toString(), "--progress", "off");
        assertEquals(0, r.code(), r.err());
        assertSameAsReference(dir, "SIGTERM");
    }

    /**
     * A signal outside a run ends the process as it would without handlers; in a run the first
     * asks it to stop, a second SIGINT ends it at once (a second SIGTERM changes nothing). (A
     * child process cannot test the second SIGINT: two signals sent together arrive as one.)
     */
    @Test
    void aSecondSigintEndsTheProcessAtOnceAndASignalOutsideARunToo() {
        assertTrue(Interrupts.endsAtOnce(false, 0, Interrupts.SIGINT));
        assertTrue(Interrupts.endsAtOnce(false, 0, Interrupts.SIGTERM));
        assertFalse(Interrupts.endsAtOnce(true, 0, Interrupts.SIGINT));
        assertFalse(Interrupts.endsAtOnce(true, 0, Interrupts.SIGTERM));
        assertTrue(Interrupts.endsAtOnce(true, Interrupts.SIGINT, Interrupts.SIGINT));
        assertTrue(Interrupts.endsAtOnce(true, Interrupts.SIGTERM, Interrupts.SIGINT));
        assertFalse(Interrupts.endsAtOnce(true, Interrupts.SIGTERM, Interrupts.SIGTERM));
    }

    private static boolean started(Path dir) {
        try {
            return Files.isRegularFile(dir.resolve("manifest.json"))
                    && Json.read(dir.resolve("manifest.json")).path("checkpoint").path("step").asLong(0) > 0;
        } catch (RuntimeException e) {
            return false;   // being rewritten
        }
    }

    @Test
    void resumeRefusesWhatItCannotContinueWithOneLineAndExitCode2() throws IOException {
        // a complete run
        Outcome complete = main("resume", reference.toString());
        assertEquals(2, complete.code());
        assertTrue(complete.err().contains("is complete; there is nothing to resume"), complete.err());
        // not a run directory
        Outcome none = main("resume", tmp.resolve("nowhere").toString());
        assertEquals(2, none.code());
        assertEquals(1, none.err().lines().count(), none.err());

        // an interrupted run whose manifest was changed since: other parameters, other data, another build
        Path dir = tmp.resolve("tampered");
        Interrupts.clear();
        assertThrows(NnpostException.class, () -> SampleRun.execute(RunSettings.config(SettingsFor.args(sample(dir, "2"))),
                new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long step, double l, double r) { if (step >= 300) Interrupts.request(Interrupts.SIGINT); }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                }));
        Path mf = dir.resolve("manifest.json");
        String original = Files.readString(mf);
        for (String[] change : new String[][]{
                {"\"seed\" : 9", "\"seed\" : 10", "belongs to other parameters"},
                {"\"data_sha256\" : \"", "\"data_sha256\" : \"0", "was started on other data"},
                {"\"build\" : \"", "\"build\" : \"x", "was started by nnpost"}}) {
            assertTrue(original.contains(change[0]), change[0]);
            Files.writeString(mf, original.replace(change[0], change[1]));
            Outcome r = main("resume", dir.toString(), "--progress", "off");
            assertEquals(2, r.code(), change[2] + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().contains(change[2]), r.err());
        }
        Files.writeString(mf, original);
        assertEquals(0, main("resume", dir.toString(), "--progress", "off").code());
        assertSameAsReference(dir, "resumed once its manifest was put back");
        assertFalse(Files.exists(dir.resolve(Checkpoint.DIR)), "a complete run keeps no checkpoint");
    }

    /** SettingsFor.args: the run settings of a sample command line, as the CLI reads them (no CLI in this package). */
    static final class SettingsFor {
        static Settings args(String[] a) {
            Settings v = new Settings();
            for (int i = 1; i < a.length; i += 2) v.put(a[i].substring(2), a[i + 1], a[i]);
            return v;
        }
    }

    @Test
    void aSpecExceptionNamesTheSetting() {
        SpecException e = assertThrows(SpecException.class, () -> RunOptions.Checkpoints.parse("5 minutes"));
        assertEquals("--checkpoint-every 5 minutes: not an interval (allowed: " + RunOptions.Checkpoints.ALLOWED + ")", e.getMessage());
        assertEquals(new RunOptions.Checkpoints(0, 600), RunOptions.Checkpoints.parse("10m"));
        assertEquals(new RunOptions.Checkpoints(0, 5400), RunOptions.Checkpoints.parse("1.5h"));
        assertEquals(new RunOptions.Checkpoints(5000, 0), RunOptions.Checkpoints.parse("5000"));
        assertTrue(RunOptions.Checkpoints.parse("off").off());
    }
}
