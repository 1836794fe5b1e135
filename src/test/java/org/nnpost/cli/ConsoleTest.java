package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.nnpost.output.Version;

/** Help, version and the plain progress lines. */
class ConsoleTest {

    static String[] run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new String[]{String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void helpListsCommandsAndEveryFlagInGroups() {
        String[] top = run("--help");
        assertEquals("0", top[0]);
        assertTrue(top[1].contains("sample") && top[1].contains("bench") && top[1].contains("3 chains diverged"), top[1]);
        assertEquals(top[1], run()[1]);

        String[] sample = run("sample", "--help");
        assertEquals("0", sample[0]);
        assertEquals("", sample[2]);
        for (String f : List.of("--L ", "--N ", "--N0 ", "--m ", "--P ", "--Ptest ", "--phi ", "--scaling ", "--beta0 ",
                "--beta-scaling ", "--sigma-w2 ", "--sigma-a2 ", "--sigma-a2-per-P", "--eta ", "--chains ", "--steps ",
                "--burn-in ", "--every ", "--keep ", "--seed ", "--threads ", "--out ", "--backend ", "--sampler ",
                "--progress ", "--class-probs ", "--class-ratios ", "--y-plus ", "--y-minus ", "--test-overlap ",
                "--data-seed ", "--config "))
            assertTrue(sample[1].contains("  " + f), f + " missing from sample --help");
        int network = sample[1].indexOf("Network"), sampler = sample[1].indexOf("Langevin sampler");
        assertTrue(network > 0 && sampler > network, "groups in order");

        String[] bench = run("bench", "--help");
        assertEquals("0", bench[0]);
        assertTrue(bench[1].contains("--preset"), bench[1]);
    }

    @Test
    void versionIsOneLine() {
        String[] v = run("--version");
        assertEquals("0", v[0]);
        assertEquals(1, v[1].lines().count());
        assertTrue(v[1].startsWith("nnpost " + Version.get()), v[1]);
    }

    @Test
    void versionConstantMatchesThePom() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>nnpost</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "no project version in pom.xml");
        assertEquals(m.group(1), Version.get());
    }

    @Test
    void plainLinesComeAtMostOncePerIntervalPlusTheLast() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ConsoleProgress.Lines p = new ConsoleProgress.Lines(new PrintStream(o, true, StandardCharsets.UTF_8), 3_600_000_000_000L);
        p.start("sampling", 1000);
        for (int k = 1; k <= 1000; k++) p.update(k, 0.5, 2000);
        p.finish();
        List<String> lines = o.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), String.join("\n", lines));   // the start and step 1000/1000
        assertTrue(lines.get(1).contains("step 1000/1000 (100%)"), lines.get(1));
    }

    @Test
    void plainLinesShowTheLastStepOnFinishOfAnUnfinishedRun() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ConsoleProgress.Lines p = new ConsoleProgress.Lines(new PrintStream(o, true, StandardCharsets.UTF_8), 3_600_000_000_000L);
        p.start("sampling", 1000);
        for (int k = 1; k <= 400; k++) p.update(k, 0.25, 100);
        p.close();
        p.close();
        List<String> lines = o.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).contains("step 400/1000 (40%), 100 steps/s, loss 0.25, ETA 0:06"), lines.get(1));
    }

    @Test
    void zeroIntervalPrintsEveryUpdate() {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ConsoleProgress.Lines p = new ConsoleProgress.Lines(new PrintStream(o, true, StandardCharsets.UTF_8), 0);
        p.start("sampling", 10);
        for (int k = 1; k <= 10; k++) p.update(k, 0.5, 10);
        p.finish();
        assertEquals(11, o.toString(StandardCharsets.UTF_8).lines().count());
    }

    /** At 80 columns the bar gives way, never the numbers: steps/s, time left and loss stay whole. */
    @Test
    void theBarKeepsRateTimeLeftAndLossAt80Columns() {
        for (int columns : new int[]{79, 60, 120}) {
            String line = ConsoleProgress.Bar.line(columns, 3700, 10000, 812.3, 0.01234);
            assertEquals(columns, line.length(), line);
            assertTrue(line.contains("812.3 steps/s") && line.contains("ETA 0:08") && line.contains("loss 0.01234")
                    && line.contains("3700/10000"), line);
            if (columns >= 79) assertTrue(line.matches("\\s*37% \\[=+>\\s*\\].*"), line);
        }
        String done = ConsoleProgress.Bar.line(79, 10000, 10000, 800, 0.5);
        assertTrue(done.contains("100%") && done.contains("ETA 0:00"), done);
    }

    /** sample writes what it showed into RUN_DIR/run.log; resume appends under its own line. */
    @Test
    void runLogHoldsWhatTheCommandShowedAndResumeAppends(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = tmp.resolve("r");
        Cli.Result r = Cli.run("sample", "--N", "10", "--N0", "8", "--P", "6", "--Ptest", "3", "--chains", "2", "--steps", "60",
                "--burn-in", "20", "--every", "4", "--threads", "1", "--progress", "lines", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        String log = java.nio.file.Files.readString(dir.resolve("run.log"));
        assertTrue(log.startsWith("--- nnpost sample --N 10"), log);
        for (String line : r.out().lines().toList()) assertTrue(log.contains(line), "run.log lacks stdout's line: " + line);
        for (String line : r.err().lines().toList()) assertTrue(log.contains(line), "run.log lacks stderr's line: " + line);
        Cli.Result again = Cli.run("resume", dir.toString());
        assertEquals(2, again.code());
        String after = java.nio.file.Files.readString(dir.resolve("run.log"));
        assertTrue(after.startsWith(log), "resume appends");
        assertTrue(after.substring(log.length()).startsWith("--- nnpost resume " + dir), after.substring(log.length()));
        assertTrue(after.contains(again.err().strip()), "the error line is in the log");
    }
}
