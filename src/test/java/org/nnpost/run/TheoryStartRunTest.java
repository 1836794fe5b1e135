package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.cli.Main;
import org.nnpost.io.Json;
import org.nnpost.output.Manifest;
import org.nnpost.spec.NnpostException;

/**
 * --init theory with every sampler: the start is recorded (parameters.init), the same seed gives
 * the same bytes on one thread and on two, and a run interrupted and resumed (on another thread
 * count) ends with the unbroken run's bytes; the start is only step 0, so it is never drawn again.
 */
class TheoryStartRunTest {
    @TempDir static Path tmp;

    static List<String> run(String sampler) {
        return List.of("--backend", "cpu", "--progress", "off", "--phi", "erf", "--N", "12", "--N0", "16", "--P", "10",
                "--Ptest", "6", "--chains", "3", "--sampler", sampler, "--eta", "0.01", "--steps", "600", "--burn-in", "200",
                "--every", "5", "--keep", "3", "--seed", "9", "--checkpoint-every", "100", "--init", "theory");
    }

    static String[] sample(String sampler, Path out, String threads) {
        List<String> a = new ArrayList<>(List.of("sample"));
        a.addAll(run(sampler));
        a.addAll(List.of("--threads", threads, "--out", out.toString()));
        return a.toArray(String[]::new);
    }

    static int main(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
        return code;
    }

    static void assertSameArrays(Path a, Path b, String why) throws IOException {
        List<String> names;
        try (var s = Files.list(a)) {
            names = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".npy")).sorted().toList();
        }
        assertFalse(names.isEmpty());
        for (String f : names) assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), why + ": " + f);
    }

    @BeforeAll
    static void clear() { Interrupts.clear(); }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ula", "mala", "uld"})
    void theStartIsRecordedTheSameOnAnyThreadCountAndResumesBitForBit(String sampler) throws IOException {
        Path two = tmp.resolve(sampler + "-2"), one = tmp.resolve(sampler + "-1"), cut = tmp.resolve(sampler + "-cut");
        main(sample(sampler, two, "2"));
        main(sample(sampler, one, "1"));
        assertEquals("theory", Json.read(two.resolve(Manifest.FILE)).path("parameters").path("init").asText());
        assertSameArrays(two, one, sampler + ", 2 threads against 1");

        Interrupts.clear();
        NnpostException e = assertThrows(NnpostException.class, () -> SampleRun.execute(
                RunSettings.config(ResumeTest.SettingsFor.args(sample(sampler, cut, "2"))), new Progress() {
                    @Override public void start(String d, long t) {}
                    @Override public void update(long step, double l, double r) { if (step >= 300) Interrupts.request(Interrupts.SIGTERM); }
                    @Override public void message(String line) {}
                    @Override public void finish() {}
                }));
        assertEquals(143, e.exitCode(), e.getMessage());
        main("resume", cut.toString(), "--threads", "1", "--progress", "off");
        assertSameArrays(two, cut, sampler + ", interrupted at step 300 and resumed on 1 thread");
    }
}
