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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.nnpost.backend.StepSizes;
import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.rng.Noise;

/**
 * The benchmark's peers compute nnpost's ULA step: given the same parameters, data and noise, one
 * step of a peer's {@code --check} mode (benchmarks/peers: numpy_step.py, torch_step.py,
 * jax_step.py) lands where {@link CpuBackend} does, to float32 rounding.
 *
 * <p>numpy is checked at every depth and φ. The torch and jax checks run the very step function
 * their timing runs (only the noise is handed in instead of drawn), and that function is one
 * hidden layer with ReLU, so they are checked there: L = 1, relu, mean-field, as timed. torch is
 * checked in each timed mode: eager, replayed from a CUDA graph, and torch.compile'd.
 *
 * <p>Each case is skipped, with its reason, when the interpreter ({@code python3}, or the one
 * {@code NNPOST_PYTHON} names) or the peer's module is missing, and torch's graph and compile
 * cases when torch sees no GPU. On a GPU the peers compute in FP32, never TF32: their check modes
 * turn it off themselves (torch: {@code torch.backends.cuda.matmul.allow_tf32 = False}; jax:
 * HIGHEST precision in every product and {@code jax_default_matmul_precision = float32}), and
 * {@code NVIDIA_TF32_OVERRIDE=0} in their environment keeps cuBLAS from using TF32 whatever a
 * framework asks.
 */
class PeerStepTest {
    static final Path PEERS = Path.of("benchmarks", "peers");
    static final String PYTHON = System.getenv().getOrDefault("NNPOST_PYTHON", "python3");
    static final int C = 3, P = 10, N = 16, N0 = 12, M = 3, SEED = 7;
    static final long STEP = 5;
    static final double U32 = Math.ulp(1.0f) / 2;
    /**
     * Gradient tolerance in units of u: entries come out of at most 2L+1 ≤ 5 chained float32 dot
     * products of length ≤ 16, summed in different orders by the two sides (the classic bound is
     * K·u per length-K product): 5 × 16 × 2 = 160, rounded up to 256.
     */
    static final double GRADIENT_ULPS = 256;
    /** Python's answer to a probe: exit status 0, and what it printed. */
    record Probe(boolean ok, String output) {}
    private static final Map<String, Probe> PROBES = new ConcurrentHashMap<>();

    @ParameterizedTest(name = "numpy L={0} {1} {2}")
    @CsvSource({"0, linear, lazy", "1, relu, meanfield", "2, tanh, meanfield", "3, relu, lazy"})
    void numpyPeerMakesTheSameStep(int L, String phiName, String scalingName, @TempDir Path dir) throws Exception {
        String name = "numpy L=" + L + " " + phiName + " " + scalingName;
        assumePeer(name, python("import numpy").ok(), PYTHON + " with numpy is not available: numpy peer check skipped");
        checkPeer(name, "numpy_step.py", List.of(), L, phiName, scalingName, dir);
    }

    @ParameterizedTest(name = "torch {0}, L=1 relu meanfield (the timed step)")
    @ValueSource(strings = {"eager", "graph", "compile"})
    void torchPeerMakesTheSameStep(String mode, @TempDir Path dir) throws Exception {
        String name = "torch " + mode + " L=1 relu meanfield";
        Probe torch = python("import numpy, torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), "
                + "'compile', hasattr(torch, 'compile'))");
        assumePeer(name, torch.ok(), PYTHON + " with torch and numpy is not available: torch peer check skipped");
        if (!mode.equals("eager"))
            assumePeer(name, torch.output().contains("cuda True"),
                    "torch's " + mode + " step is timed on CUDA only, and torch sees no GPU (" + torch.output().strip() + ")");
        if (mode.equals("compile"))
            assumePeer(name, torch.output().contains("compile True"), "torch.compile needs PyTorch 2 (" + torch.output().strip() + ")");
        checkPeer(name, "torch_step.py", List.of("--mode", mode), 1, "relu", "meanfield", dir);
    }

    @Test
    void jaxPeerMakesTheSameStep(@TempDir Path dir) throws Exception {
        String name = "jax L=1 relu meanfield";
        assumePeer(name, python("import numpy, jax").ok(), PYTHON + " with jax and numpy is not available: jax peer check skipped");
        checkPeer(name, "jax_step.py", List.of(), 1, "relu", "meanfield", dir);
    }

    /**
     * One step of {@link CpuBackend} and of the peer's check mode from the same state with the same
     * noise; every parameter must agree within the drift's rounding error (η times the gradient's)
     * plus a few roundings of the update itself.
     */
    private static void checkPeer(String name, String script, List<String> options, int L, String phiName,
                                  String scalingName, Path dir) throws Exception {
        Path peer = PEERS.resolve(script);
        assumePeer(name, Files.isRegularFile(peer), "peer not found at " + peer.toAbsolutePath());
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
            b.move(StepSizes.of(eta), false);
            b.advance();
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

        List<String> command = new ArrayList<>(List.of(PYTHON, peer.toString(), "--check", dir.toString()));
        command.addAll(options);
        Process p = peerProcess(command).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "peer timed out");
        assertEquals(0, p.exitValue(), "peer failed:\n" + log);

        // the worst entry first, for the GPU check's table; then every entry on its own
        double[][] tol = new double[G][];
        double worst = 0;
        Npy[] peers = new Npy[G];
        for (int g = 0; g < G; g++) {
            int out = spec.outDim(g), in = spec.inDim(g), size = out * in;
            peers[g] = readNpy(dir.resolve("theta" + g + "_new.npy"));
            assertArrayEquals(new int[]{C, out, in}, peers[g].shape, "shape of group " + g);
            float[] ours = after.params()[g], before = state.params()[g];
            tol[g] = new double[C * size];
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
                    tol[g][k] = drift + 4 * U32 * (Math.abs(ours[k]) + Math.abs(before[k]));
                    worst = Math.max(worst, Math.abs(ours[k] - peers[g].data[k]) / tol[g][k]);
                }
            }
        }
        row(name, String.format(Locale.ROOT, "%11.3e|%9.2e|%s", worst, 1.0, worst <= 1 ? "PASS" : "FAIL"));
        for (int g = 0; g < G; g++) {
            float[] ours = after.params()[g];
            int size = spec.groupSize(g);
            for (int k = 0; k < C * size; k++)
                assertEquals(ours[k], peers[g].data[k], tol[g][k],
                        "group " + spec.groupName(g) + " chain " + k / size + " entry " + k % size);
        }
    }

    /** A peer's process: FP32 products only, and a GPU's memory taken as needed, not all at once. */
    private static ProcessBuilder peerProcess(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("NVIDIA_TF32_OVERRIDE", "0");
        pb.environment().put("XLA_PYTHON_CLIENT_PREALLOCATE", "false");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return pb;
    }

    /** Runs the interpreter on code once per code and test run. */
    static Probe python(String code) {
        return PROBES.computeIfAbsent(code, k -> {
            try {
                Process p = peerProcess(List.of(PYTHON, "-c", k)).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                boolean done = p.waitFor(120, TimeUnit.SECONDS);
                if (!done) p.destroyForcibly();
                return new Probe(done && p.exitValue() == 0, out);
            } catch (IOException e) {
                return new Probe(false, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Probe(false, "interrupted");
            }
        });
    }

    /** Skips the case (a JUnit assumption: reported as skipped, never as passed) and says why in the table. */
    private static void assumePeer(String name, boolean available, String reason) {
        if (!available) row(name, String.format(Locale.ROOT, "%11s|%9s|SKIPPED: %s", "-", "-", reason));
        assumeTrue(available, reason);
    }

    /**
     * A line benchmarks/gpu-check.sh collects into its final table, as the gpu-tagged tests print;
     * the value is the largest |peer − CpuBackend| / tolerance over all parameters (pass: ≤ 1).
     */
    private static void row(String name, String rest) {
        System.out.println(String.format(Locale.ROOT, "TABLE|%-44s|%s", "peer " + name, rest));
        System.out.flush();
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
