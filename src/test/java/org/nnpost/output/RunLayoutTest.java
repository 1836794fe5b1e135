package org.nnpost.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.SampleRun;
import org.nnpost.sampler.SamplerSpec;

/**
 * The layout is what a run writes: a real tiny run of several shapes of network leaves exactly
 * the files RunLayout lists, each array with the listed element type and shape.
 */
class RunLayoutTest {
    @TempDir Path tmp;

    static Stream<Arguments> runs() {
        return Stream.of(
                // name, L, N, N0, class weights (ratios), P, Ptest, chains, steps, burn-in, every, keep
                Arguments.of("relu L=2, m=3", 2, 7, 9, new double[]{0.5, 0.25, 0.25}, 8, 5, 3, 60, 20, 4, 3),
                Arguments.of("linear readout of the input, L=0", 0, 7, 6, new double[]{0.5, 0.5}, 5, 3, 2, 40, 10, 5, 2),
                Arguments.of("no draws kept whole", 1, 5, 6, new double[]{0.5, 0.5}, 4, 2, 2, 30, 10, 10, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void aRealRunWritesExactlyTheListedFilesWithTheirTypesAndShapes(String name, int L, int N, int N0, double[] weights,
            int P, int Pt, int C, long steps, long burnIn, int every, int keep) throws IOException {
        ModelSpec model = new ModelSpec(L, N, N0, weights.length, L == 0 ? Phi.LINEAR : Phi.RELU, Scaling.MEANFIELD,
                2.0, true, 1.0, 1.0);
        TaskSpec task = new TaskSpec("orthogonal", N0, P, Pt, weights, true, 1.0, -1.0, 0.5, 3);
        SamplerSpec sampler = new SamplerSpec("ula", SamplerSpec.uniformEta(L + 1, 0.005f), C, steps, burnIn, every, keep, 5);
        Path dir = tmp.resolve("run");
        SampleRun.execute(new RunConfig(model, task, sampler, BackendSpec.cpu(1), dir, false, "off"), Progress.SILENT);

        RunLayout layout = RunLayout.of(model, task, sampler);
        TreeSet<String> written = new TreeSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> written.add(p.getFileName().toString()));
        }
        assertEquals(new TreeSet<>(layout.names()), written, name);
        for (RunLayout.Entry e : layout.files()) {
            Path f = dir.resolve(e.name());
            if (!e.isArray()) {
                assertTrue(Json.read(f).isObject(), e.name());
                continue;
            }
            Npy.Array a = Npy.read(f);
            assertEquals(e.dtype().descr, a.descr(), e.name());
            assertArrayEquals(e.shape(), a.shape(), e.name() + ": " + e.describe());
            assertEquals(e.shape().length, e.dims().length, e.name());
        }
        // spot checks of the formulas against the settings
        long D = sampler.draws();
        assertArrayEquals(new long[]{C, D}, layout.get(RunLayout.trace("loss")).shape());
        assertArrayEquals(new long[]{C, Math.min(keep, D), model.lastWidth(), weights.length}, layout.get(RunLayout.READOUT).shape());
        assertEquals(L == 0 ? "[chain, kept, N0, m]" : "[chain, kept, N, m]", layout.get(RunLayout.READOUT).dimsText());
        assertEquals(List.of(RunLayout.MANIFEST), layout.names().subList(0, 1));
        assertThrows(IllegalArgumentException.class, () -> layout.get("weights.npy"));
    }
}
