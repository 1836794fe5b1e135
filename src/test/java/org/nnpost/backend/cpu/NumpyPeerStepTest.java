package org.nnpost.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.rng.Noise;
import org.nnpost.sampler.ChainState;

/**
 * The numpy peer of the benchmark computes nnpost's ULA step: given the same parameters, data
 * and noise, one step of benchmarks/peers/numpy_step.py lands where {@link CpuBackend} does, to
 * float32 rounding. Skipped when python3 or numpy is missing.
 */
class NumpyPeerStepTest {
    static final Path PEER = Path.of("benchmarks", "peers", "numpy_step.py");
    static final int C = 3, P = 10, N = 16, N0 = 12, M = 3, SEED = 7;
    static final long STEP = 5;
    static final double U32 = Math.ulp(1.0f) / 2;
    /**
     * Gradient tolerance in units of u: entries come out of at most 2L+1 ≤ 5 chained float32 dot
     * products of length ≤ 16, summed in different orders by the two sides (the classic bound is
     * K·u per length-K product): 5 × 16 × 2 = 160, rounded up to 256.
     */
    static final double GRADIENT_ULPS = 256;

    @BeforeAll
    static void needsNumpy() throws Exception {
        assumeTrue(Files.isRegularFile(PEER), "numpy peer not found at " + PEER.toAbsolutePath());
        int rc;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            rc = p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            rc = -1;
        }
        assumeTrue(rc == 0, "python3 with numpy is not available: numpy peer check skipped");
    }

    @ParameterizedTest(name = "L={0} {1} {2}")
    @CsvSource({"0, linear, lazy", "1, relu, meanfield", "2, tanh, meanfield", "3, relu, lazy"})
    void numpyPeerMakesTheSameStep(int L, String phiName, String scalingName, @TempDir Path dir) throws Exception {
        ModelSpec spec = new ModelSpec(L, N, N0, M, Phi.parse(phiName), Scaling.parse(scalingName), 2.0, true, 1.5, 0.8);
        Task task = OrthogonalTask.generate(N0, P, 2, new double[]{0.5, 0.25, 0.25}, true, 1, -0.5, 0.5, 3);
        ChainState state = ChainState.fromPrior(spec, C, SEED).withStep(STEP);
        int G = spec.groups();
        float[] eta = new float[G];
        for (int g = 0; g < G; g++) eta[g] = 0.01f / (g + 1);

        float[][] fullGrad = new float[G][];
        ChainState after;
        try (CpuBackend b = new CpuBackend(spec, task, C, 1)) {
            b.load(state);
            b.gradient();
            for (int g = 0; g < G; g++) {
                fullGrad[g] = b.likelihoodGradient(g);
                int size = spec.groupSize(g);
                for (int i = 0; i < C * size; i++)
                    fullGrad[g][i] += (float) (state.params()[g][i] / spec.priorVariance(g));
            }
            b.langevinStep(eta);
            after = b.snapshot();
        }

        Dataset d = task.train();
        writeNpy(dir.resolve("x.npy"), d.x(), P, N0);
        writeNpy(dir.resolve("y.npy"), d.y(), P, M);
        StringBuilder sigma2 = new StringBuilder(), etas = new StringBuilder();
        for (int g = 0; g < G; g++) {
            int out = spec.outDim(g), in = spec.inDim(g), size = out * in;
            writeNpy(dir.resolve("theta" + g + ".npy"), state.params()[g], C, out, in);
            float[] xi = new float[C * size];
            for (int c = 0; c < C; c++) Noise.normals(SEED, c, STEP, g, xi, c * size, size);
            writeNpy(dir.resolve("noise" + g + ".npy"), xi, C, out, in);
            sigma2.append(g > 0 ? ", " : "").append(spec.priorVariance(g));
            etas.append(g > 0 ? ", " : "").append(eta[g]);
        }
        Files.writeString(dir.resolve("spec.json"), String.format(Locale.ROOT,
                "{\"L\": %d, \"N\": %d, \"N0\": %d, \"m\": %d, \"phi\": \"%s\", \"gamma\": %s, \"beta\": %s, "
                        + "\"sigma2\": [%s], \"eta\": [%s]}",
                L, N, N0, M, phiName, spec.gamma(), spec.beta(), sigma2, etas));

        Process p = new ProcessBuilder("python3", PEER.toString(), "--check", dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "peer timed out");
        assertEquals(0, p.exitValue(), "peer failed:\n" + log);

        for (int g = 0; g < G; g++) {
            int out = spec.outDim(g), in = spec.inDim(g), size = out * in;
            Npy peer = readNpy(dir.resolve("theta" + g + "_new.npy"));
            assertArrayEquals(new int[]{C, out, in}, peer.shape, "shape of group " + g);
            float[] ours = after.params()[g], before = state.params()[g];
            for (int c = 0; c < C; c++) {
                double gmax = 0, moved = 0;
                for (int i = 0; i < size; i++) {
                    gmax = Math.max(gmax, Math.abs(fullGrad[g][c * size + i]));
                    moved = Math.max(moved, Math.abs(ours[c * size + i] - before[c * size + i]));
                }
                // the drift's error (η · gradient error) plus a few roundings of the sum itself
                double drift = eta[g] * GRADIENT_ULPS * U32 * gmax;
                assertTrue(moved > 100 * drift, "the step must move the parameters well beyond the tolerance");
                for (int i = 0; i < size; i++) {
                    int k = c * size + i;
                    double tol = drift + 4 * U32 * (Math.abs(ours[k]) + Math.abs(before[k]));
                    assertEquals(ours[k], peer.data[k], tol,
                            "group " + spec.groupName(g) + " chain " + c + " entry " + i);
                }
            }
        }
    }

    // ------------------------------------------------------------ a minimal .npy writer and reader

    /** float32, C order, format version 1.0. */
    static void writeNpy(Path path, float[] data, int... shape) throws IOException {
        StringBuilder s = new StringBuilder("(");
        for (int d : shape) s.append(d).append(',');
        if (shape.length > 1) s.setLength(s.length() - 1);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + s + "), }";
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xFF);
        out.write(header.length() >>> 8);
        out.write(header.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer b = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : data) b.putFloat(v);
        out.write(b.array());
        Files.write(path, out.toByteArray());
    }

    record Npy(int[] shape, float[] data) {}

    /** Reads a little-endian float32 C-order array as numpy's np.save writes it (versions 1–3). */
    static Npy readNpy(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        int major = b.get(6);
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        String header = new String(b.array(), start, headerLen, StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'fortran_order': False"), header);
        Matcher m = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        assertTrue(m.find(), header);
        String[] parts = m.group(1).replace(" ", "").split(",");
        int n = 0;
        for (String part : parts) if (!part.isEmpty()) n++;
        int[] shape = new int[n];
        int k = 0, count = 1;
        for (String part : parts) if (!part.isEmpty()) { shape[k] = Integer.parseInt(part); count *= shape[k++]; }
        float[] data = new float[count];
        b.position(start + headerLen);
        for (int i = 0; i < count; i++) data[i] = b.getFloat();
        return new Npy(shape, data);
    }
}
