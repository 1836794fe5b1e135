package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.spec.NnpostException;

/**
 * --on-divergence drop: when some chains blow up the others go on. Here 8 chains at η = 0.05
 * (near the stability edge of this posterior, where the seed decides which chains blow up): the
 * dropped chains are named in the manifest and the summary, their entries are NaN from their drop
 * on and the healthy chains' are whole, the statistics count only the healthy chains, the same
 * run with --on-divergence stop ends at the first divergence, and a drop-mode run interrupted
 * after its drop resumes to the same bytes.
 */
class DivergenceDropTest {
    @TempDir static Path tmp;
    static Path dropped;
    static JsonNode manifest;

    static String[] run(Path out, String mode) {
        return new String[]{"sample", "--backend", "cpu", "--threads", "2", "--progress", "off", "--N", "16", "--N0", "16",
                "--P", "16", "--chains", "8", "--steps", "2000", "--burn-in", "200", "--every", "10", "--keep", "5",
                "--eta", "0.05", "--seed", "1", "--on-divergence", mode, "--checkpoint-every", "300", "--out", out.toString()};
    }

    @BeforeAll
    static void dropRun() {
        dropped = tmp.resolve("drop");
        ResumeTest.Outcome r = ResumeTest.main(run(dropped, "drop"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("diverged and were dropped"), r.err());
        manifest = Json.read(dropped.resolve("manifest.json"));
    }

    @Test
    void droppedChainsAreNamedAndNaNFromTheirDropOnWhileTheOthersAreWhole() {
        JsonNode list = manifest.path("dropped_chains");
        assertTrue(list.size() >= 1 && list.size() < 8, "some but not all chains dropped: " + list);
        assertEquals(list, Json.read(dropped.resolve("summary.json")).path("dropped_chains"));
        boolean[] isDropped = new boolean[8];
        long[] dropStep = new long[8];
        for (JsonNode d : list) {
            isDropped[d.path("chain").asInt()] = true;
            dropStep[d.path("chain").asInt()] = d.path("step").asLong();
        }
        long[] divergedAt = Npy.read(dropped.resolve("divergence.npy")).longs();
        double[] loss = Npy.read(dropped.resolve("trace_loss.npy")).doubles();
        float[] readout = Npy.read(dropped.resolve("readout_samples.npy")).floats();
        int draws = 180, kept = 5, perKept = readout.length / (8 * kept);
        for (int c = 0; c < 8; c++) {
            for (int d = 0; d < draws; d++) {
                long step = 200 + 10L * (d + 1);
                double v = loss[c * draws + d];
                if (isDropped[c] && step >= dropStep[c]) assertTrue(Double.isNaN(v), "chain " + c + " draw " + d);
                else assertTrue(Double.isFinite(v), "chain " + c + " draw " + d + " holds " + v);
            }
            if (isDropped[c]) assertEquals(dropStep[c], divergedAt[c], "chain " + c + " is dropped from the step it diverged at");
            else assertEquals(-1, divergedAt[c], "chain " + c);
            // the last kept draw is at the end of the run: NaN exactly for the dropped chains
            float last = readout[(c * kept + kept - 1) * perKept];
            assertEquals(isDropped[c], Float.isNaN(last), "chain " + c + "'s last kept draw");
        }
        JsonNode s = Json.read(dropped.resolve("summary.json"));
        assertTrue(Double.isFinite(s.path("diagnostics").path("loss").path("mean").asDouble(Double.NaN)), s.path("diagnostics").toString());
        assertTrue(s.path("max_rhat").isNumber(), "R-hat over the healthy chains");
    }

    @Test
    void stopModeEndsAtTheFirstDivergenceWithExitCode3() {
        ResumeTest.Outcome r = ResumeTest.main(run(tmp.resolve("stop"), "stop"));
        assertEquals(NnpostException.DIVERGED, r.code(), r.err());
        long first = Long.MAX_VALUE, firstStop = Long.MAX_VALUE;
        for (JsonNode d : manifest.path("dropped_chains")) first = Math.min(first, d.path("step").asLong());
        for (JsonNode d : Json.read(tmp.resolve("stop").resolve("manifest.json")).path("divergence"))
            firstStop = Math.min(firstStop, d.path("step").asLong());
        assertEquals(first, firstStop, "the same first divergence");
    }

    @Test
    void aDropModeRunInterruptedAfterItsDropResumesToTheSameBytes() throws IOException {
        Path dir = tmp.resolve("drop-resumed");
        long first = Long.MAX_VALUE;
        for (JsonNode d : manifest.path("dropped_chains")) first = Math.min(first, d.path("step").asLong());
        long after = first + 100;
        Interrupts.clear();
        assertThrows(NnpostException.class, () -> SampleRun.execute(RunSettings.config(ResumeTest.SettingsFor.args(run(dir, "drop"))),
                new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long step, double l, double r) { if (step >= after) Interrupts.request(Interrupts.SIGINT); }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                }));
        assertEquals(0, ResumeTest.main("resume", dir.toString(), "--progress", "off").code());
        List<String> arrays = new ArrayList<>();
        try (Stream<Path> s = Files.list(dropped)) {
            s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".npy")).forEach(arrays::add);
        }
        assertFalse(arrays.isEmpty());
        for (String f : arrays) assertArrayEquals(Files.readAllBytes(dropped.resolve(f)), Files.readAllBytes(dir.resolve(f)), f);
        assertEquals(manifest.path("dropped_chains"), Json.read(dir.resolve("manifest.json")).path("dropped_chains"));
    }
}
