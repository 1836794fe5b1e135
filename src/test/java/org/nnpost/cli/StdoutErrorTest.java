package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.run.RunResult;

/**
 * Output that never arrives is no success: when standard output cannot be written (a full disk,
 * a closed pipe), every command exits with code 1 and one line on stderr that says so, instead
 * of 0 with its output lost. A command that failed on its own keeps its code and its line.
 */
class StdoutErrorTest {
    @TempDir static Path tmp;

    /** A sink like /dev/full: every write fails. */
    static final class Full extends OutputStream {
        @Override public void write(int b) throws IOException { throw new IOException("No space left on device"); }
    }

    record Outcome(int code, String err) {}

    static Outcome intoAFullSink(String... args) {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new Full(), true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8),
                (cfg, p) -> new RunResult(cfg.outDir(), "complete", "cpu", 100, 10, 0.5, 0.1, 0.0, 0.125, 1.01, 250, null));
        return new Outcome(code, e.toString(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of("nnpost", List.of("--version")),
                Arguments.of("nnpost", List.of("--help")),
                Arguments.of("nnpost", List.of()),
                Arguments.of("nnpost sample", List.of("sample", "--help")),
                Arguments.of("nnpost sample", List.of("sample", "--N", "4", "--N0", "4", "--P", "4", "--Ptest", "2",
                        "--progress", "off", "--out", tmp.resolve("run").toString())),
                Arguments.of("nnpost theory", List.of("theory", "--help")),
                Arguments.of("nnpost reproduce", List.of("reproduce", "--help")),
                Arguments.of("nnpost plot", List.of("plot", "--help")),
                Arguments.of("nnpost bench", List.of("bench", "--help")),
                Arguments.of("nnpost bench", List.of("bench", "--backend", "cpu", "--preset", "small", "--chains", "2",
                        "--steps", "1", "--repeats", "1", "--warmup", "0", "--threads", "1", "--json")),
                Arguments.of("nnpost devices", List.of("devices")),
                Arguments.of("nnpost devices", List.of("devices", "--help")));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("commands")
    void everyCommandExitsWith1WhenStandardOutputCannotBeWritten(String who, List<String> args) {
        Outcome o = intoAFullSink(args.toArray(String[]::new));
        assertEquals(1, o.code(), o.err());
        assertEquals(List.of(who + ": cannot write to standard output (a write failed)"), o.err().lines().toList());
    }

    @Test
    void aCommandThatFailedKeepsItsOwnCodeAndLine() {
        Outcome o = intoAFullSink("sample", "--N", "0", "--out", tmp.resolve("bad").toString());
        assertEquals(2, o.code(), o.err());
        assertEquals(1, o.err().lines().count(), o.err());
        assertTrue(o.err().contains("--N 0"), o.err());
    }

    /** The same through a real process: `nnpost --version > /dev/full`. */
    @Test
    void aRealProcessWritingToDevFullExitsWith1() throws Exception {
        File full = new File("/dev/full");
        Assumptions.assumeTrue(full.exists() && full.canWrite(), "no writable /dev/full on this system");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the test's own class path holds target/classes and every dependency (directly, or via
        // the Class-Path of the launcher jar the test runner may use)
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.nnpost.cli.Main", "--version")
                .redirectOutput(full).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process did not end");
        assertEquals(1, p.exitValue(), err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("nnpost: cannot write to standard output ("), err);
        assertFalse(lines.get(0).contains("a write failed"), "the real stream says what failed: " + err);

        // and the same process with a writable standard output succeeds
        Path ok = tmp.resolve("version.txt");
        Process q = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "org.nnpost.cli.Main", "--version")
                .redirectOutput(ok.toFile()).start();
        assertTrue(q.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, q.exitValue());
        assertTrue(Files.readString(ok).startsWith("nnpost "), Files.readString(ok));
    }
}
