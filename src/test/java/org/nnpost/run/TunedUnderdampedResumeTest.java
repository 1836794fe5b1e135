package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.sampler.StepSizeTuner;
import org.nnpost.spec.NnpostException;

/**
 * Underdamped Langevin with --eta auto keeps the promises of every run: the same bytes on any
 * thread count, and after an interruption at any step (in the tuning's windows, where its state
 * is in the checkpoint; after the freeze, with the momenta in it). The manifest records "auto"
 * as the setting and the tuned step sizes as derived.
 */
class TunedUnderdampedResumeTest {
    @TempDir static Path tmp;
    static Path reference;

    /** burn-in 400: tuning steps 0..299, the groups in turn, then ULD at the frozen step sizes. */
    static final List<String> RUN = List.of("--backend", "cpu", "--progress", "off", "--L", "1", "--phi", "erf",
            "--N", "12", "--N0", "16", "--P", "10", "--Ptest", "6", "--chains", "3", "--sampler", "uld",
            "--eta", "auto", "--steps", "1000", "--burn-in", "400", "--every", "5", "--keep", "4", "--seed", "5",
            "--checkpoint-every", "50");

    static String[] sample(Path out, String threads) {
        List<String> a = new ArrayList<>(List.of("sample"));
        a.addAll(RUN);
        a.addAll(List.of("--threads", threads, "--out", out.toString()));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void unbrokenRun() {
        reference = tmp.resolve("reference");
        ResumeTest.Outcome r = ResumeTest.main(sample(reference, "2"));
        assertEquals(0, r.code(), r.err());
    }

    static void assertSameArrays(Path dir, String why) throws IOException {
        assertEquals(ResumeTest.names(reference), ResumeTest.names(dir), why + ": the files");
        for (String f : ResumeTest.names(reference))
            if (f.endsWith(".npy"))
                assertArrayEquals(Files.readAllBytes(reference.resolve(f)), Files.readAllBytes(dir.resolve(f)), why + ": " + f);
        assertEquals(Json.read(reference.resolve("manifest.json")).path("derived"), Json.read(dir.resolve("manifest.json")).path("derived"),
                why + ": the derived block, tuned step sizes included");
    }

    @Test
    void theManifestRecordsAutoAndTheTunedStepSizes() {
        JsonNode m = Json.read(reference.resolve("manifest.json"));
        assertEquals("auto", m.path("parameters").path("eta").asText());
        JsonNode eta = m.path("derived").path("eta");
        assertEquals(2, eta.size(), m.path("derived").toString());
        for (JsonNode e : eta) assertTrue(e.asDouble() > 0 && e.asDouble() < 1, eta.toString());
        JsonNode how = m.path("derived").path("eta_tuning");
        assertEquals(300, how.path("frozen_at_step").asLong());
        assertEquals(2, how.path("curvature").size());
        // ULD's rule, as the manifest's numbers give it: eta_g = 1 / lambda_top,g
        for (int g = 0; g < 2; g++)
            assertEquals(StepSizeTuner.ULD_STABILITY / how.path("stiffest_curvature").get(g).asDouble(), eta.get(g).asDouble(), 1e-6 * eta.get(g).asDouble());
        assertEquals(2.0, m.path("parameters").path("friction").get(0).asDouble());
    }

    @Test
    void anotherThreadCountGivesTheSameBytes() throws IOException {
        Path dir = tmp.resolve("one-thread");
        ResumeTest.Outcome r = ResumeTest.main(sample(dir, "1"));
        assertEquals(0, r.code(), r.err());
        assertSameArrays(dir, "1 thread against 2");
    }

    /** Interrupted while tuning (early, half-way, late) and after the freeze. */
    @ParameterizedTest(name = "interrupted at step {0}")
    @ValueSource(ints = {40, 150, 250, 600})
    void anInterruptedRunResumesToTheSameBytes(int at) throws IOException {
        Path dir = tmp.resolve("interrupted-" + at);
        Interrupts.clear();
        NnpostException e = assertThrows(NnpostException.class, () -> SampleRun.execute(
                RunSettings.config(ResumeTest.SettingsFor.args(sample(dir, "2"))), new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long step, double l, double r) { if (step >= at) Interrupts.request(Interrupts.SIGTERM); }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                }));
        assertEquals(143, e.exitCode(), e.getMessage());
        long stopped = Json.read(dir.resolve("manifest.json")).path("interrupted_at_step").asLong();
        assertTrue(stopped >= at && stopped < at + 100, "stopped at " + stopped);
        assertEquals(Manifest.INTERRUPTED, Json.read(dir.resolve("manifest.json")).path("status").asText());
        ResumeTest.Outcome r = ResumeTest.main("resume", dir.toString(), "--threads", "1", "--progress", "off");
        assertEquals(0, r.code(), r.err());
        assertSameArrays(dir, "interrupted at step " + stopped + ", resumed on 1 thread");
    }

    @Test
    void autoNeedsABurnInToTuneIn() {
        ResumeTest.Outcome r = ResumeTest.main("sample", "--backend", "cpu", "--progress", "off", "--eta", "auto", "--steps", "300",
                "--burn-in", "100", "--out", tmp.resolve("short").toString());
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("nnpost sample: --burn-in 100: too short for --eta auto"), r.err());
        assertTrue(!Files.exists(tmp.resolve("short")), "nothing written");
        ResumeTest.Outcome bad = ResumeTest.main("sample", "--backend", "cpu", "--eta", "automatic", "--out", tmp.resolve("bad").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("(allowed: auto, or 1 or 2 numbers > 0"), bad.err());
    }
}
