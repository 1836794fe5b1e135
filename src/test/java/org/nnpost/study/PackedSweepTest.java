package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.run.Interrupts;
import org.nnpost.run.Progress;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;

/**
 * Packing (Sweep, PackedRun): points that differ in β₀, targets, σ's and seed, run as one batch
 * of chains, write every point's directory byte for byte as running the points one by one does
 * (timings, the backend line and the process aside), for each sampler; and a packed sweep
 * interrupted in the middle, then run again, ends with the same files too.
 */
class PackedSweepTest {
    @TempDir Path tmp;

    /** 2 β₀ × 2 y₋ (in a zip with σ_a²) × seeds: 4 or 8 points of one shape, one pack. */
    static String study(String sampler, int seeds) {
        return """
                {"base": {"L": 1, "N": 8, "N0": 10, "P": 6, "Ptest": 4, "phi": "erf", "chains": 2, "steps": 400, "burn_in": 100,
                          "every": 10, "keep": 3, "eta": 0.01, "sampler": "%s", "checkpoint_every": "150", "backend": "cpu",
                          "threads": 2},
                 "grid": {"beta0": [2, 5]},
                 "zip": {"y_minus": [-1, 0], "sigma_a2": [1, 0.5]},
                 "seeds": %d}
                """.formatted(sampler, seeds);
    }

    static SweepRestartTest.Outcome sweep(String... args) { return SweepRestartTest.sweep(args); }

    @ParameterizedTest
    @ValueSource(strings = {"ula", "mala", "uld"})
    void aPackedSweepWritesEveryPointAsOneByOne(String sampler) throws IOException {
        Path file = Files.writeString(tmp.resolve("study.json"), study(sampler, 2));
        Path alone = tmp.resolve("alone"), packed = tmp.resolve("packed");
        SweepRestartTest.Outcome a = sweep(file.toString(), "--out", alone.toString(), "--progress", "off", "--pack", "off");
        assertEquals(0, a.code(), a.out() + a.err());
        assertTrue(!a.out().contains("packing"), a.out());
        SweepRestartTest.Outcome p = sweep(file.toString(), "--out", packed.toString(), "--progress", "off", "--pack", "on");
        assertEquals(0, p.code(), p.out() + p.err());
        assertTrue(p.out().contains("packing: 8 points in 1 batch"), p.out());
        assertSameSweep(alone, packed, sampler, 8);
        for (JsonNode pt : Json.read(packed.resolve("study.json")).path("points")) {
            assertEquals(Manifest.COMPLETE, pt.path("status").asText(), pt.toString());
            assertEquals(7, pt.path("packed_with").asInt(), pt.toString());
        }
    }

    @Test
    void aPackedSweepInterruptedInTheMiddleGoesOnToTheSameFiles() throws IOException {
        Path file = Files.writeString(tmp.resolve("study.json"), study("mala", 1));
        Path alone = tmp.resolve("alone"), packed = tmp.resolve("packed");
        SweepRestartTest.Outcome a = sweep(file.toString(), "--out", alone.toString(), "--progress", "off", "--pack", "off");
        assertEquals(0, a.code(), a.out() + a.err());

        Settings machine = new Settings();
        Sweep.Plan plan = Sweep.plan(new Sweep.Request(Study.read(file), packed, machine, Sweep.Shard.ALL, null, false, "again", "on"));
        Interrupts.clear();
        List<String> said = new ArrayList<>();
        try {
            NnpostException e = assertThrows(NnpostException.class, () -> Sweep.run(plan, pt -> new Progress() {
                @Override public void start(String d, long t) {}
                @Override public void update(long step, double l, double r) { if (step >= 250) Interrupts.request(Interrupts.SIGTERM); }
                @Override public void message(String line) {}
                @Override public void finish() {}
            }, said::add));
            assertEquals(143, e.exitCode(), e.getMessage());
        } finally {
            Interrupts.clear();
        }
        JsonNode points = Json.read(packed.resolve("study.json")).path("points");
        for (JsonNode pt : points) assertEquals(Manifest.INTERRUPTED, pt.path("status").asText(), pt + "\n" + said);
        SweepRestartTest.Outcome p = sweep(file.toString(), "--out", packed.toString(), "--progress", "off", "--pack", "on");
        assertEquals(0, p.code(), p.out() + p.err());
        assertTrue(p.out().contains("resumed (interrupted)"), p.out());
        assertSameSweep(alone, packed, "mala, interrupted at step 250 and resumed", 4);
    }

    /** Every point's files the same: arrays byte for byte, summary and manifest but for timings and where it ran. */
    /** --pack auto on the CPU: points whose chains keep every thread busy run alone, and the sweep says why; fewer chains than threads pack. */
    @Test
    void autoPacksOnTheCpuOnlyPointsWithFewerChainsThanThreads() throws IOException {
        Path busy = Files.writeString(tmp.resolve("busy.json"), study("ula", 1).replace("\"steps\": 400", "\"steps\": 40")
                .replace("\"burn_in\": 100", "\"burn_in\": 10").replace("\"every\": 10", "\"every\": 3"));
        SweepRestartTest.Outcome a = sweep(busy.toString(), "--out", tmp.resolve("a").toString(), "--progress", "off");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().contains("4 points run one by one, not packed: on the CPU, points with at least as many chains as threads (2)"), a.out());
        assertTrue(!a.out().contains("packing:"), a.out());
        Path idle = Files.writeString(tmp.resolve("idle.json"), Files.readString(busy).replace("\"threads\": 2", "\"threads\": 4"));
        SweepRestartTest.Outcome b = sweep(idle.toString(), "--out", tmp.resolve("b").toString(), "--progress", "off");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("packing: 4 points in 1 batch"), b.out());
    }

    static void assertSameSweep(Path alone, Path packed, String why, int count) throws IOException {
        assertArrayEquals(Files.readAllBytes(alone.resolve(SweepTable.CSV)), Files.readAllBytes(packed.resolve(SweepTable.CSV)),
                why + ": sweep.csv");
        Set<String> points = dirs(alone);
        assertEquals(points, dirs(packed), why);
        assertEquals(count, points.size(), why);
        for (String pt : points) {
            Path x = alone.resolve(pt), y = packed.resolve(pt);
            assertEquals(names(x), names(y), why + ": " + pt);
            for (String f : names(x)) {
                String what = why + ": " + pt + "/" + f;
                if (f.endsWith(".npy")) assertArrayEquals(Files.readAllBytes(x.resolve(f)), Files.readAllBytes(y.resolve(f)), what);
                else if (f.equals("summary.json")) assertEquals(without(x.resolve(f), SUMMARY_TIMES), without(y.resolve(f), SUMMARY_TIMES), what);
                else if (f.equals("manifest.json")) assertEquals(without(x.resolve(f), MANIFEST_MACHINE), without(y.resolve(f), MANIFEST_MACHINE), what);
            }
        }
    }

    static final List<String> SUMMARY_TIMES = List.of("timings", "steps_per_second", "chain_steps_per_second", "checkpoints");
    /** When and where a run went (and, after a resume, the step it was interrupted at): not its numbers. */
    static final List<String> MANIFEST_MACHINE = List.of("created", "timings", "backend", "process", "checkpoint", "resumed",
            "progress", "interrupted_at_step");

    static JsonNode without(Path f, List<String> keys) {
        ObjectNode o = (ObjectNode) Json.read(f);
        o.remove(keys);
        if (o.has("output")) ((ObjectNode) o.get("output")).remove("out");
        return o;
    }

    static Set<String> dirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList());
        }
    }

    static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("run.log")).toList());
        }
    }
}
