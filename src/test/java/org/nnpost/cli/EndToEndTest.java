package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands through to the engine, on tiny sizes. */
class EndToEndTest {

    @TempDir Path tmp;

    /** A tiny sample run writes a complete run directory and reports it. */
    @Test
    void tinySampleRunCompletesAndSaysWhere() throws IOException {
        Path out = tmp.resolve("tiny");
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"sample", "--N", "8", "--N0", "8", "--P", "8", "--Ptest", "4", "--chains", "2",
                        "--steps", "60", "--burn-in", "20", "--every", "4", "--keep", "2", "--backend", "cpu", "--threads", "1",
                        "--progress", "lines", "--out", out.toString()},
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        String stdout = o.toString(StandardCharsets.UTF_8), err = e.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err);
        // 2 chains of 10 draws cannot reach the ESS of 100 per chain: the only stderr lines are the warnings
        assertFalse(err.isEmpty(), "a run this short warns");
        for (String line : err.lines().toList()) assertTrue(line.startsWith("nnpost sample: warning: "), err);
        assertTrue(stdout.contains("run complete: " + out), stdout);
        assertTrue(stdout.contains("10 draws"), stdout);          // (60 − 20) / 4
        Path manifest = out.resolve("manifest.json");
        assertTrue(Files.isRegularFile(manifest), "no manifest.json");
        assertTrue(Files.readString(manifest).contains("complete"), "manifest not marked complete");
    }

    @Test
    void benchPrintsOneResultLine() {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"bench", "--preset", "small", "--backend", "cpu", "--threads", "1",
                        "--warmup", "2", "--steps", "5", "--repeats", "1"},
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        String stdout = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
        assertEquals(1, stdout.lines().filter(l -> !l.isBlank()).count(), stdout);
    }
}
