package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.io.Json;
import org.nnpost.io.Npy;

/**
 * `nnpost plot` on a damaged run directory: a real tiny run is made once, then a copy of it is
 * damaged in one way per case (a file deleted, truncated, rewritten with another element type or
 * shape; the manifest truncated, not JSON, of another status, lacking or contradicting a
 * setting). Each ends with exit code 2 and one line naming the file and what is wrong, nothing on
 * stdout, and no panel or analysis.json drawn from the damaged files.
 */
class DamagedRunTest {
    @TempDir static Path tmp;
    static Path run;

    // C = 2 chains, K = 3 kept draws, N = 12, m = 2, P = 8, P* = 4, D = (60 - 20) / 4 = 10 draws
    @BeforeAll
    static void aRealTinyRun() {
        run = tmp.resolve("run");
        Cli.Result r = Cli.run("sample", "--L", "1", "--N", "12", "--N0", "10", "--P", "8", "--Ptest", "4",
                "--chains", "2", "--steps", "60", "--burn-in", "20", "--every", "4", "--keep", "3",
                "--backend", "cpu", "--threads", "1", "--progress", "off", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
    }

    interface Damage {
        void to(Path dir) throws IOException;
    }

    static Arguments damage(String why, String file, Damage d, String... mustName) {
        return Arguments.of(why, file, d, List.of(mustName));
    }

    static Stream<Arguments> damages() {
        return Stream.of(
                damage("readout samples deleted", "readout_samples.npy",
                        d -> Files.delete(d.resolve("readout_samples.npy")), "missing", "float32 [chain, kept, N, m] = [2, 3, 12, 2]"),
                damage("a test kernel deleted", "kernel_l1_test.npy",
                        d -> Files.delete(d.resolve("kernel_l1_test.npy")), "missing", "float64 [Ptest, Ptest] = [4, 4]"),
                damage("a trace cut short", "trace_loss.npy",
                        d -> cut(d.resolve("trace_loss.npy"), 8), "truncated", "data has 152 bytes", "need 160"),
                damage("inputs cut inside the header", "x_train.npy",
                        d -> cut(d.resolve("x_train.npy"), Files.size(d.resolve("x_train.npy")) - 30), "truncated", "header"),
                damage("an empty array file", "activations_train.npy",
                        d -> Files.write(d.resolve("activations_train.npy"), new byte[0]), "empty"),
                damage("text where an array belongs", "predictor_mean_test.npy",
                        d -> Files.writeString(d.resolve("predictor_mean_test.npy"), "0.5,0.25\n"), "not an .npy file"),
                damage("the mean predictor rewritten as int64", "predictor_mean_train.npy",
                        d -> Npy.write(d.resolve("predictor_mean_train.npy"), new long[8 * 2], 8, 2),
                        "dtype int64", "float64 [P, m] = [8, 2]"),
                damage("readout samples of another shape, same size", "readout_samples.npy",
                        d -> Npy.write(d.resolve("readout_samples.npy"), new float[2 * 3 * 12 * 2], 2, 3, 2, 12),
                        "shape [2, 3, 2, 12]", "[chain, kept, N, m] = [2, 3, 12, 2]"),
                damage("readout samples of another width", "readout_samples.npy",
                        d -> Npy.write(d.resolve("readout_samples.npy"), new float[2 * 3 * 13 * 2], 2, 3, 13, 2),
                        "shape [2, 3, 13, 2]"),
                damage("a label that is no class", "labels_test.npy",
                        d -> Npy.write(d.resolve("labels_test.npy"), new long[]{0, 1, 5, 0}, 4), "label 5 at index 2", "classes 0 to 1"),
                damage("summary cut short", "summary.json",
                        d -> cut(d.resolve("summary.json"), 40), "truncated"),
                damage("manifest deleted", "manifest.json",
                        d -> Files.delete(d.resolve("manifest.json")), "missing"),
                damage("manifest cut short", "manifest.json",
                        d -> cut(d.resolve("manifest.json"), Files.size(d.resolve("manifest.json")) / 2), "truncated", "line"),
                damage("manifest not JSON", "manifest.json",
                        d -> Files.writeString(d.resolve("manifest.json"), "status: complete\n"), "not valid JSON", "line 1"),
                damage("manifest a JSON list", "manifest.json",
                        d -> Files.writeString(d.resolve("manifest.json"), "[1, 2]\n"), "not a JSON object"),
                damage("manifest still running", "manifest.json",
                        d -> manifest(d, m -> m.put("status", "running")), "status \"running\": abandoned", "nnpost resume"),
                damage("manifest of diverged chains", "manifest.json",
                        d -> manifest(d, m -> m.put("status", "diverged")), "status \"diverged\""),
                damage("manifest without a status", "manifest.json",
                        d -> manifest(d, m -> m.remove("status")), "no \"status\""),
                damage("manifest without parameters", "manifest.json",
                        d -> manifest(d, m -> m.remove("parameters")), "no \"parameters\""),
                damage("manifest lacking a setting whose default is valid", "manifest.json",
                        d -> manifest(d, m -> params(m).remove("Ptest")), "parameters lack \"Ptest\""),
                damage("manifest lacking a setting whose default is not", "manifest.json",
                        d -> manifest(d, m -> params(m).remove("P")), "parameters lack \"P\""),
                damage("manifest with an impossible setting", "manifest.json",
                        d -> manifest(d, m -> params(m).put("N", 0)), "parameters.N 0", "out of range"),
                damage("manifest with settings that conflict", "manifest.json",
                        d -> manifest(d, m -> params(m).putArray("class_ratios").add(0.5).add(0.5)),
                        "parameters: class_probs 0.5,0.5 conflicts with class_ratios 0.5,0.5"),
                damage("manifest with an object where a number belongs", "manifest.json",
                        d -> manifest(d, m -> params(m).putObject("N").put("value", 12)), "parameters: N {\"value\":12}: wrong type"),
                damage("manifest with an unknown setting", "manifest.json",
                        d -> manifest(d, m -> params(m).put("width", 3)), "unknown key \"width\""),
                damage("manifest that disagrees with the files", "readout_samples.npy",
                        d -> manifest(d, m -> params(m).put("N", 13)), "shape [2, 3, 12, 2]", "[2, 3, 13, 2]", "manifest.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void aDamagedRunIsRefusedInOneLineNamingTheFile(String why, String file, Damage d, List<String> mustName) throws IOException {
        Path copy = copyOfTheRun(why);
        d.to(copy);
        Cli.Result r = Cli.run("plot", copy.toString());
        assertEquals(2, r.code(), why + ": " + r.err());
        assertEquals("", r.out(), why);
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), why + ": stderr was\n" + r.err());
        String line = lines.get(0);
        assertTrue(line.startsWith("nnpost plot: " + copy.resolve(file) + ": "), why + ": " + line);
        assertTrue(line.contains(" (allowed: "), why + ": " + line);
        for (String s : mustName) assertTrue(line.contains(s), why + ": \"" + s + "\" not in: " + line);
        assertFalse(line.contains("Exception"), line);
        try (Stream<Path> s = Files.list(copy)) {
            List<String> drawn = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".png") || n.equals("analysis.json")).toList();
            assertEquals(List.of(), drawn, why + ": panels drawn from a damaged run");
        }
    }

    @Test
    void theUndamagedRunIsPlotted() throws IOException {
        Path copy = copyOfTheRun("whole");
        Cli.Result r = Cli.run("plot", copy.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(copy.resolve("analysis.json")));
    }

    // ---------------------------------------------------------------- helpers

    static Path copyOfTheRun(String why) throws IOException {
        Path copy = Files.createTempDirectory(tmp, "copy");
        try (Stream<Path> s = Files.list(run)) {
            for (Path p : s.toList()) Files.copy(p, copy.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return copy;
    }

    static void cut(Path f, long bytes) throws IOException {
        byte[] all = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(all, (int) (all.length - bytes)));
    }

    interface Edit {
        void to(ObjectNode manifest);
    }

    static void manifest(Path dir, Edit e) {
        Path f = dir.resolve("manifest.json");
        ObjectNode m = (ObjectNode) Json.read(f);
        e.to(m);
        try {
            Files.delete(f);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        Json.write(f, m);
    }

    static ObjectNode params(ObjectNode m) { return (ObjectNode) m.get("parameters"); }
}
