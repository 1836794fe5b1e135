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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.backend.BackendFactory;
import org.nnpost.run.RunException;
import org.nnpost.run.RunResult;
import org.nnpost.spec.NnpostException;

/**
 * Every bad input ends the same way: exit code 2, exactly one line on stderr that names the
 * input and its value, nothing on stdout, and no run directory (so none marked complete).
 */
class BadInputTest {

    @TempDir static Path tmp;
    static Path out, file, nonEmpty, missing, malformed, unknownKey, wrongType, badValue;
    static Path noManifest, cutManifest, noSettings, badSetting;

    @BeforeAll
    static void files() throws IOException {
        out = tmp.resolve("run");
        file = Files.writeString(tmp.resolve("a-file"), "x");
        nonEmpty = Files.createDirectories(tmp.resolve("used"));
        Files.writeString(nonEmpty.resolve("manifest.json"), "{\"status\": \"running\"}");
        missing = tmp.resolve("missing.json");
        malformed = Files.writeString(tmp.resolve("malformed.json"), "{\"N\": 200,\n \"phi\": }");
        unknownKey = Files.writeString(tmp.resolve("unknown.json"), "{\"N\": 200, \"width\": 3}");
        wrongType = Files.writeString(tmp.resolve("wrongtype.json"), "{\"N\": {\"value\": 200}}");
        badValue = Files.writeString(tmp.resolve("badvalue.json"), "{\"chains\": -3}");
        // run directories that plot refuses on their manifest alone
        noManifest = Files.createDirectories(tmp.resolve("no-manifest"));
        cutManifest = Files.createDirectories(tmp.resolve("cut-manifest"));
        Files.writeString(cutManifest.resolve("manifest.json"), "{\"status\": \"complete\",\n \"parameters\": {\"L\": 1, \"N\": 6");
        noSettings = Files.createDirectories(tmp.resolve("no-settings"));
        Files.writeString(noSettings.resolve("manifest.json"), "{\"status\": \"complete\", \"parameters\": {}}");
        badSetting = Files.createDirectories(tmp.resolve("bad-setting"));
        Files.writeString(badSetting.resolve("manifest.json"), "{\"status\": \"complete\", \"parameters\": {\"L\": 1, \"N\": 0}}");
    }

    record Outcome(int code, String out, String err) {
        List<String> errLines() { return err.lines().toList(); }
    }

    /** Runs the command in-process; reaching the run loop is a failure here. */
    static Outcome run(List<String> args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8), (cfg, p) -> {
                    throw new AssertionError("the run started although the input was bad");
                });
        return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Arguments bad(String why, List<String> mustName, String... args) {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.size() > 0 && a.get(0).equals("sample") && !a.contains("--out") && !a.contains("--name")) {
            a.add("--out");
            a.add(out.toString());
        }
        return Arguments.of(why, a, mustName);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                bad("unknown flag", List.of("--width"), "sample", "--width", "3"),
                bad("unknown command", List.of("frobnicate"), "frobnicate"),
                bad("non-numeric size", List.of("--N", "abc"), "sample", "--N", "abc"),
                bad("fractional size", List.of("--N", "64.5"), "sample", "--N", "64.5"),
                bad("full-width digits", List.of("--N", "\uFF11\uFF16", "not an integer"), "sample", "--N", "\uFF11\uFF16"),
                bad("checkpoint interval in words", List.of("--checkpoint-every", "often"), "sample", "--checkpoint-every", "often"),
                bad("unknown divergence mode", List.of("--on-divergence", "retry", "stop, drop"), "sample", "--on-divergence", "retry"),
                bad("zero width", List.of("--N", "0"), "sample", "--N", "0"),
                bad("negative P", List.of("--P", "-5"), "sample", "--P", "-5"),
                bad("zero N0", List.of("--N0", "0"), "sample", "--N0", "0"),
                bad("zero chains", List.of("--chains", "0"), "sample", "--chains", "0"),
                bad("negative steps", List.of("--steps", "-100"), "sample", "--steps", "-100"),
                bad("negative L", List.of("--L", "-1"), "sample", "--L", "-1"),
                bad("P larger than N0", List.of("--P", "100", "N0 = 64"), "sample", "--P", "100", "--N0", "64"),
                bad("no test inputs", List.of("--Ptest", "0"), "sample", "--Ptest", "0"),
                bad("unknown phi", List.of("--phi", "sigmoid", "relu"), "sample", "--phi", "sigmoid"),
                bad("unknown scaling", List.of("--scaling", "ntk", "lazy"), "sample", "--scaling", "ntk"),
                bad("negative weight variance", List.of("--sigma-w2", "-1"), "sample", "--sigma-w2", "-1"),
                bad("zero readout variance", List.of("--sigma-a2", "0"), "sample", "--sigma-a2", "0"),
                bad("zero beta0", List.of("--beta0", "0"), "sample", "--beta0", "0"),
                bad("zero eta", List.of("--eta", "0"), "sample", "--eta", "0"),
                bad("negative eta in a list", List.of("--eta", "0.01,-0.01"), "sample", "--eta", "0.01,-0.01"),
                bad("eta not a number", List.of("--eta", "NaN"), "sample", "--eta", "NaN"),
                bad("wrong number of eta values", List.of("--eta", "0.01,0.01", "W1,W2,a"),
                        "sample", "--L", "2", "--eta", "0.01,0.01"),
                bad("missing config file", List.of("--config", "missing.json", "no such file"),
                        "sample", "--config", missing.toString()),
                bad("config is a directory", List.of("--config"), "sample", "--config", tmp.toString()),
                bad("malformed JSON config", List.of("--config", "malformed.json", "line 2"),
                        "sample", "--config", malformed.toString()),
                bad("unknown key in config", List.of("width", "unknown key"), "sample", "--config", unknownKey.toString()),
                bad("object where a number belongs", List.of("N (in wrongtype.json)"),
                        "sample", "--config", wrongType.toString()),
                bad("bad value in config", List.of("chains (in badvalue.json)", "-3"),
                        "sample", "--config", badValue.toString()),
                bad("probabilities and ratios together", List.of("--class-probs", "--class-ratios", "0.5,0.25,0.25"),
                        "sample", "--class-probs", "0.5,0.5", "--class-ratios", "0.5,0.25,0.25"),
                bad("probabilities not summing to 1", List.of("--class-probs", "0.5,0.6"),
                        "sample", "--class-probs", "0.5,0.6"),
                bad("m against the class list", List.of("--m", "3"), "sample", "--m", "3", "--class-probs", "0.5,0.5"),
                bad("output below a file", List.of("--out", "a-file"), "sample", "--out", file.resolve("sub").toString()),
                bad("output is a file", List.of("--out", "a-file"), "sample", "--out", file.toString()),
                bad("output directory not empty", List.of("--out", "used", "not empty"),
                        "sample", "--out", nonEmpty.toString()),
                bad("burn-in not below steps", List.of("--burn-in", "100", "steps = 100"),
                        "sample", "--steps", "100", "--burn-in", "100"),
                bad("every zero", List.of("--every", "0"), "sample", "--every", "0"),
                bad("unknown start", List.of("--init", "zero", "prior, theory"), "sample", "--init", "zero"),
                bad("theory start on an image task", List.of("--init", "theory", "orthogonal task", "mnist"),
                        "sample", "--init", "theory", "--task", "mnist"),
                bad("theory start with two hidden layers", List.of("--init", "theory", "L = 2", "prior"),
                        "sample", "--init", "theory", "--L", "2"),
                bad("theory start in the lazy scaling", List.of("--init", "theory", "lazy", "meanfield"),
                        "sample", "--init", "theory", "--scaling", "lazy"),
                bad("theory start of an erf network with four classes", List.of("--init", "theory", "m = 4"),
                        "sample", "--init", "theory", "--phi", "erf", "--m", "4"),
                bad("every beyond the kept steps", List.of("--every", "600"),
                        "sample", "--steps", "1000", "--burn-in", "500", "--every", "600"),
                bad("keep more than the draws", List.of("--keep", "11"),
                        "sample", "--steps", "100", "--burn-in", "0", "--every", "10", "--keep", "11"),
                bad("seed above 2^32 - 1", List.of("--seed", "4294967296", "4294967295"), "sample", "--seed", "4294967296"),
                bad("negative seed", List.of("--seed", "-1"), "sample", "--seed", "-1"),
                bad("unknown backend", List.of("--backend", "gpu", "cpu, cuda, auto"), "sample", "--backend", "gpu"),
                bad("unknown progress mode", List.of("--progress", "fancy"), "sample", "--progress", "fancy"),
                bad("flag without its value", List.of("--N"), "sample", "--N"),
                bad("flag given twice", List.of("--N", "twice"), "sample", "--N", "32", "--N", "64"),
                bad("stray argument", List.of("64"), "sample", "64"),
                bad("test overlap above 1", List.of("--test-overlap", "1.5"), "sample", "--test-overlap", "1.5"),
                bad("run name with a slash", List.of("--name", "a/b"), "sample", "--name", "a/b"),
                bad("chains past the array limit", List.of("--chains", "2000000"),
                        "sample", "--chains", "2000000", "--N", "2000"),
                bad("fixed ratios that leave a class without a training input", List.of("--class-ratios", "0.5,0.5", "P = 1"),
                        "sample", "--P", "1", "--class-ratios", "0.5,0.5"),
                bad("drawn labels that leave a class without a training input", List.of("--P", "1", "--data-seed"),
                        "sample", "--P", "1"),
                bad("balanced images, fewer inputs than classes", List.of("--P", "2", "3 classes"),
                        "sample", "--task", "mnist", "--classes", "0,1,2", "--P", "2"),
                bad("plot: no such directory", List.of("none", "no such directory"), "plot", tmp.resolve("none").toString()),
                bad("plot: a file, not a directory", List.of("a-file", "not a directory"), "plot", file.toString()),
                bad("plot: no manifest", List.of("no-manifest", "manifest.json", "missing"), "plot", noManifest.toString()),
                bad("plot: truncated manifest", List.of("cut-manifest", "manifest.json", "truncated"), "plot", cutManifest.toString()),
                bad("plot: a run still running", List.of("used", "manifest.json", "\"running\""), "plot", nonEmpty.toString()),
                bad("plot: a manifest lacking settings", List.of("no-settings", "manifest.json", "parameters lack \"L\""),
                        "plot", noSettings.toString()),
                bad("plot: a manifest with an impossible setting", List.of("bad-setting", "manifest.json", "parameters.N 0"),
                        "plot", badSetting.toString()),
                bad("bench: unknown preset", List.of("--preset", "huge", "reference"), "bench", "--preset", "huge"),
                bad("bench: zero steps", List.of("--steps", "0"), "bench", "--steps", "0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputExitsWithCode2AndOneLineNamingIt(String why, List<String> args, List<String> mustName) {
        Outcome r = run(args);
        assertEquals(NnpostException.BAD_INPUT, r.code(), why + ": " + r.err());
        assertEquals(1, r.errLines().size(), why + ": stderr was\n" + r.err());
        for (String s : mustName) assertTrue(r.err().contains(s), why + ": \"" + s + "\" not named in: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertEquals("", r.out(), why);
        assertFalse(Files.exists(out), why + ": a run directory was made");
    }

    @Test
    void cudaWithoutGpuIsBadInputFromTheFactory() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        boolean[] made = {false};
        int code = Main.run(new String[]{"sample", "--backend", "cuda", "--N", "4", "--N0", "4", "--P", "4",
                        "--Ptest", "2", "--out", out.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true, StandardCharsets.UTF_8),
                (cfg, p) -> {
                    try (var b = BackendFactory.create(cfg.backend(), cfg.model(), cfg.task().build(),
                            cfg.sampler().chains()).backend()) {
                        made[0] = true;
                    }
                    return null;
                });
        Assumptions.assumeFalse(made[0], "a usable GPU is present; the no-GPU path cannot be exercised here");
        String err = e.toString(StandardCharsets.UTF_8);
        assertEquals(NnpostException.BAD_INPUT, code, err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("--backend cuda"), err);
    }

    @Test
    void divergenceExitsWithCode3AndOneLine() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"sample", "--out", out.toString(), "--progress", "off"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true, StandardCharsets.UTF_8),
                (cfg, p) -> {
                    throw new RunException(NnpostException.DIVERGED, "2 of 4 chains diverged at steps 9, 12; lower --eta");
                });
        String err = e.toString(StandardCharsets.UTF_8);
        assertEquals(3, code, err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("diverged"), err);
    }

    @Test
    void unexpectedFailureExitsWithCode1AndOneLineWithoutStackTrace() {
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"sample", "--out", out.toString(), "--progress", "off"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true, StandardCharsets.UTF_8),
                (cfg, p) -> {
                    throw new IllegalStateException("broken\ninvariant");
                });
        String err = e.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("IllegalStateException: broken invariant"), err);
    }

    @Test
    void finishedRunPrintsWhereOutputsWentAndExits0() {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(new String[]{"sample", "--out", out.toString(), "--progress", "off"},
                new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                (cfg, p) -> new RunResult(cfg.outDir(), "complete", "cpu", 5000, 300, 9.5, 0.1, 0.0, 0.125, 1.01, 250, "sparse: PR/N = 0.04"));
        String stdout = o.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
        assertEquals("", e.toString(StandardCharsets.UTF_8));
        assertTrue(stdout.contains("run complete: " + out), stdout);
        assertTrue(stdout.contains("test error 0.125"), stdout);
        assertTrue(stdout.contains("coding sparse: PR/N = 0.04"), stdout);
    }
}
