package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.io.Json;

/**
 * A run's manifest.json holds its settings under "parameters", flat and under the keys a config
 * file uses: given back unchanged as --config, they make the same run, every array the same bytes.
 */
class ManifestAsConfigTest {
    @TempDir Path tmp;

    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("ula, defaults but sizes", List.of("--N", "8", "--N0", "10", "--P", "6", "--Ptest", "4")),
                Arguments.of("mala, two layers, ratios, per-group eta, per-P prior", List.of("--L", "2", "--phi", "erf", "--N", "6",
                        "--N0", "9", "--P", "8", "--Ptest", "3", "--class-ratios", "2,1,1", "--y-minus", "0", "--sampler", "mala",
                        "--eta", "0.004,0.003,0.002", "--sigma-a2", "3", "--sigma-a2-per-P", "--beta-scaling", "off",
                        "--seed", "4294967295", "--data-seed", "5", "--test-overlap", "0.3")),
                Arguments.of("linear readout, lazy, m alone", List.of("--L", "0", "--phi", "linear", "--scaling", "lazy", "--N0", "7",
                        // data seed 4: five labels drawn with these probabilities that give every class an input
                        "--P", "5", "--Ptest", "3", "--m", "3", "--class-probs", "0.2,0.3,0.5", "--sigma-w2", "0.7",
                        "--data-seed", "4")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void parametersGivenBackAsConfigMakeTheSameRun(String why, List<String> flags) throws IOException {
        Path first = tmp.resolve("first"), again = tmp.resolve("again");
        List<String> args = new ArrayList<>(List.of("sample", "--backend", "cpu", "--threads", "1", "--progress", "off",
                "--chains", "2", "--steps", "60", "--burn-in", "20", "--every", "4", "--keep", "2", "--out", first.toString()));
        args.addAll(flags);
        assertEquals(0, run(args), why);

        JsonNode parameters = Json.read(first.resolve("manifest.json")).get("parameters");
        Path config = tmp.resolve("parameters.json");
        Json.write(config, parameters);
        assertEquals(0, run(List.of("sample", "--config", config.toString(), "--progress", "off", "--out", again.toString())), why);

        assertEquals(parameters, Json.read(again.resolve("manifest.json")).get("parameters"), why + ": the parameters read back");
        List<String> arrays;
        try (Stream<Path> s = Files.list(first)) {
            arrays = s.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".npy")).sorted().toList();
        }
        assertTrue(arrays.size() >= 12, arrays.toString());
        for (String f : arrays)
            assertArrayEquals(Files.readAllBytes(first.resolve(f)), Files.readAllBytes(again.resolve(f)), why + ": " + f);
    }

    static int run(List<String> args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        if (code != 0) System.err.println(e.toString(StandardCharsets.UTF_8));
        return code;
    }
}
