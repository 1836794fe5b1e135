package org.nnpost.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.output.Version;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.NnpostException;

class SampleRunTest {
    @TempDir Path tmp;

    // a tiny one-hidden-layer ReLU posterior: 4 chains, N = N0 = 16, P = 12, P* = 6
    static final int C = 4, N = 16, N0 = 16, P = 12, PT = 6, M = 2;

    static RunConfig config(Path out, String algorithm, float eta, int threads, long steps, long burnIn, int every, int keep) {
        ModelSpec model = new ModelSpec(1, N, N0, M, Phi.RELU, Scaling.MEANFIELD, 2.0, true, 1.0, 1.0);
        TaskSpec task = new TaskSpec("orthogonal", N0, P, PT, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 7);
        SamplerSpec sampler = new SamplerSpec(algorithm, new float[]{eta, eta}, C, steps, burnIn, every, keep, 42);
        return new RunConfig(model, task, sampler, BackendSpec.cpu(threads), out, false, "off");
    }

    static RunConfig tiny(Path out, int threads) { return config(out, "ula", 0.01f, threads, 250, 50, 5, 3); }

    static final Set<String> EXPECTED = new TreeSet<>(List.of(
            "manifest.json", "summary.json", "divergence.npy",
            "trace_potential.npy", "trace_loss.npy", "trace_sqnorm_W1.npy", "trace_sqnorm_a.npy",
            "kernel_l1_train.npy", "kernel_l1_test.npy",
            "predictor_mean_train.npy", "predictor_var_train.npy", "predictor_mean_test.npy", "predictor_var_test.npy",
            "readout_samples.npy", "activations_train.npy", "activations_test.npy",
            "x_train.npy", "y_train.npy", "labels_train.npy", "x_test.npy", "y_test.npy", "labels_test.npy"));

    @Test
    void tinyRunWritesEveryFileWithTheRightShapesAndCompletesLast() throws IOException {
        Path out = tmp.resolve("runs/a");   // parents are created
        List<String> statusAtStart = new ArrayList<>();
        RunResult r = SampleRun.execute(tiny(out, 1), new Progress() {
            @Override public void start(String d, long t) { statusAtStart.add(Json.read(out.resolve("manifest.json")).get("status").asText()); }
            @Override public void update(long s, double l, double rate) {}
            @Override public void message(String line) {}
            @Override public void finish() {}
        });
        assertEquals(List.of("running"), statusAtStart);
        assertEquals("complete", r.status());
        assertEquals(EXPECTED, names(out), "no temporary or missing files");

        long D = (250 - 50) / 5;
        assertEquals(D, r.draws());
        assertShape(out, "trace_potential.npy", "<f8", C, D);
        assertShape(out, "trace_sqnorm_W1.npy", "<f8", C, D);
        assertShape(out, "kernel_l1_train.npy", "<f8", P, P);
        assertShape(out, "kernel_l1_test.npy", "<f8", PT, PT);
        assertShape(out, "predictor_mean_train.npy", "<f8", P, M);
        assertShape(out, "predictor_var_test.npy", "<f8", PT, M);
        assertShape(out, "readout_samples.npy", "<f4", C, 3, N, M);
        assertShape(out, "activations_train.npy", "<f4", C, 3, N, P);
        assertShape(out, "activations_test.npy", "<f4", C, 3, N, PT);
        assertShape(out, "divergence.npy", "<i8", C);
        assertShape(out, "x_train.npy", "<f4", P, N0);
        assertShape(out, "y_test.npy", "<f4", PT, M);
        assertShape(out, "labels_train.npy", "<i8", P);
        assertArrayEquals(new long[]{-1, -1, -1, -1}, Npy.read(out.resolve("divergence.npy")).longs());

        JsonNode manifest = Json.read(out.resolve("manifest.json"));
        assertEquals("complete", manifest.get("status").asText());
        FileTime last = Files.getLastModifiedTime(out.resolve("manifest.json"));
        for (String f : EXPECTED)
            assertTrue(Files.getLastModifiedTime(out.resolve(f)).compareTo(last) <= 0, f + " written after the manifest");
        assertEquals(42, manifest.at("/parameters/seed").asLong());
        assertEquals(0.01f, (float) manifest.at("/parameters/eta/1").asDouble());   // groups W1, a
        assertEquals("a", manifest.at("/derived/groups/1").asText());
        assertEquals(16, manifest.at("/parameters/N").asInt());
        assertEquals("relu", manifest.at("/parameters/phi").asText());
        assertEquals(2.0 * N, manifest.at("/derived/beta").asDouble(), 1e-12);   // β = β₀·N at γ = 1
        assertEquals("orthogonal", manifest.at("/parameters/task").asText());
        assertTrue(manifest.at("/versions/java").isTextual());
        assertEquals(Version.get(), manifest.at("/versions/nnpost").asText());   // what --version says
        JsonNode commit = manifest.get("git_commit");
        assertTrue(commit.isNull() || commit.asText().matches("[0-9a-f]{40}"), commit.toString());
        assertTrue(manifest.at("/backend/description").asText().startsWith("cpu"));
        assertTrue(manifest.at("/timings/total_s").asDouble() > 0);

        JsonNode summary = Json.read(out.resolve("summary.json"));
        for (String t : List.of("potential", "loss", "sqnorm_W1", "sqnorm_a"))
            assertTrue(summary.at("/diagnostics/" + t + "/rhat").isNumber(), t);
        assertEquals(2, summary.at("/error/test/mean_predictor/per_class").size());
        assertTrue(summary.get("chain_steps_per_second").asDouble() > 0);
        assertEquals(summary.get("max_rhat").asDouble(), r.maxRhat(), 0);
        assertEquals(summary.at("/error/test/mean_predictor/overall").asDouble(), r.testError(), 0);
        assertEquals(summary.get("mean_loss").asDouble(), r.meanLoss(), 0);
        assertTrue(List.of("analog", "redundant", "sparse").contains(summary.at("/coding/scheme").asText()),
                summary.at("/coding").toString());
        double pr = summary.at("/coding/participation_ratio_per_N").asDouble();
        assertTrue(pr > 0 && pr <= 1, "PR/N lies in (0, 1]: " + pr);
    }

    /**
     * The files agree with each other: at a kept draw the saved readout and activations give back
     * the traces the backend reported there. ‖a‖² is summed from the same floats (1e-12 covers the
     * summation order); the loss is recomputed in double from float32 outputs, whose relative
     * rounding is ~√N·2⁻²⁴ ≈ 2.4e-7 per output, so 1e-5 relative is ample.
     */
    @Test
    void savedSamplesReproduceTheirTraces() throws IOException {
        Path out = tmp.resolve("b");
        SampleRun.execute(tiny(out, 2), Progress.SILENT);
        float[] a = Npy.read(out.resolve("readout_samples.npy")).floats();        // [C, 3, N, M]
        float[] h = Npy.read(out.resolve("activations_train.npy")).floats();      // [C, 3, N, P]
        float[] y = Npy.read(out.resolve("y_train.npy")).floats();                // [P, M]
        double[] sqA = Npy.read(out.resolve("trace_sqnorm_a.npy")).doubles();    // [C, D]
        double[] loss = Npy.read(out.resolve("trace_loss.npy")).doubles();
        int D = 40, K = 3;
        long[] keptDraw = {12, 25, 39};   // ⌊(j+1)·40/3⌋ − 1
        double scale = 1.0 / N;           // N^(−γ), γ = 1
        for (int c = 0; c < C; c++)
            for (int j = 0; j < K; j++) {
                int d = (int) keptDraw[j];
                int aOff = (c * K + j) * N * M, hOff = (c * K + j) * N * P;
                double s = 0;
                for (int i = 0; i < N * M; i++) s += (double) a[aOff + i] * a[aOff + i];
                assertEquals(sqA[c * D + d], s, 1e-12 * s);
                double e = 0;
                for (int mu = 0; mu < P; mu++)
                    for (int r = 0; r < M; r++) {
                        double f = 0;
                        for (int i = 0; i < N; i++) f += (double) a[aOff + i * M + r] * h[hOff + i * P + mu];
                        double res = scale * f - y[mu * M + r];
                        e += 0.5 * res * res;
                    }
                assertEquals(loss[c * D + d], e, 1e-5 * e, "chain " + c + " kept " + j);
            }
        // the posterior kernel is a Gram matrix: symmetric with a non-negative diagonal
        double[] k = Npy.read(out.resolve("kernel_l1_train.npy")).doubles();
        for (int mu = 0; mu < P; mu++) {
            assertTrue(k[mu * P + mu] > 0);
            for (int nu = 0; nu < P; nu++) assertEquals(k[mu * P + nu], k[nu * P + mu], 1e-12 * k[mu * P + mu]);
        }
        for (double v : Npy.read(out.resolve("predictor_var_test.npy")).doubles()) assertTrue(v >= 0);
    }

    @Test
    void sameSeedGivesBitIdenticalArraysOnOneTwoAndFourThreads() throws IOException {
        List<Path> dirs = new ArrayList<>();
        for (int threads : new int[]{1, 2, 4}) {
            Path out = tmp.resolve("t" + threads);
            SampleRun.execute(tiny(out, threads), Progress.SILENT);
            dirs.add(out);
        }
        for (String f : EXPECTED) {
            if (!f.endsWith(".npy")) continue;
            byte[] one = Files.readAllBytes(dirs.get(0).resolve(f));
            for (int k = 1; k < dirs.size(); k++)
                assertArrayEquals(one, Files.readAllBytes(dirs.get(k).resolve(f)), f + " differs at " + dirs.get(k));
        }
    }

    @Test
    void divergingStepSizeStopsWithExitCode3AndWritesNoNaN() throws IOException {
        Path out = tmp.resolve("div");
        // η = 3 makes the prior's restoring term overshoot: θ ← −2θ + …, so U grows about fourfold per
        // step and passes the divergence limit (10⁴ times its scale at the start) within ~8 steps;
        // drawing every step keeps the draws before that
        RunException e = assertThrows(RunException.class,
                () -> SampleRun.execute(config(out, "ula", 3f, 2, 200, 0, 1, 5), Progress.SILENT));
        assertEquals(NnpostException.DIVERGED, e.exitCode());
        String msg = e.getMessage();
        assertFalse(msg.contains("\n"), "one line");
        assertTrue(msg.matches("chains diverged: chain \\d+ at step \\d+.*\\(\\d of 4 chains\\); lower --eta \\(now 3\\)"), msg);

        JsonNode manifest = Json.read(out.resolve("manifest.json"));
        assertEquals("diverged", manifest.get("status").asText());
        JsonNode list = manifest.get("divergence");
        assertTrue(list.size() >= 1);
        long[] at = Npy.read(out.resolve("divergence.npy")).longs();
        for (JsonNode d : list) {
            assertEquals(d.get("step").asLong(), at[d.get("chain").asInt()]);
            assertTrue(msg.contains("chain " + d.get("chain").asInt() + " at step " + d.get("step").asLong()), msg);
        }
        long first = Long.MAX_VALUE;
        for (long s : at) if (s >= 0) first = Math.min(first, s);
        for (String t : List.of("trace_potential.npy", "trace_loss.npy", "trace_sqnorm_W1.npy", "trace_sqnorm_a.npy")) {
            Npy.Array arr = Npy.read(out.resolve(t));
            assertEquals(C, arr.shape()[0]);
            assertTrue(arr.shape()[1] >= 1 && arr.shape()[1] < first, t + ": the draws before the first divergence, " + arr.shape()[1]);
            for (double v : arr.doubles()) assertTrue(Double.isFinite(v), t + " holds " + v);
        }
        Set<String> files = names(out);
        assertFalse(files.contains("readout_samples.npy"), "no half-filled sample arrays");
        assertFalse(files.contains("summary.json"));
        assertTrue(files.stream().noneMatch(f -> f.startsWith(".")), "no temporary files: " + files);
    }

    @Test
    void nonEmptyOutDirGivesExitCode2AndIsLeftUntouched() throws IOException {
        Path out = tmp.resolve("used");
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        NnpostException e = assertThrows(NnpostException.class, () -> SampleRun.execute(tiny(out, 1), Progress.SILENT));
        assertEquals(NnpostException.BAD_INPUT, e.exitCode());
        assertEquals("--out " + out + ": exists and is not empty; choose a new directory", e.getMessage());
        assertEquals(Set.of("notes.txt"), names(out));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }

    @Test
    void outDirThatCannotBeADirectoryGivesExitCode2() throws IOException {
        Path file = tmp.resolve("plain");
        Files.writeString(file, "x");
        NnpostException asFile = assertThrows(NnpostException.class, () -> SampleRun.execute(tiny(file, 1), Progress.SILENT));
        assertEquals(NnpostException.BAD_INPUT, asFile.exitCode());
        assertTrue(asFile.getMessage().contains("is not a directory"), asFile.getMessage());
        // below a plain file no directory can be made, whoever runs the test (root included)
        NnpostException below = assertThrows(NnpostException.class,
                () -> SampleRun.execute(tiny(file.resolve("sub"), 1), Progress.SILENT));
        assertEquals(NnpostException.BAD_INPUT, below.exitCode());
        assertTrue(below.getMessage().startsWith("--out " + file.resolve("sub") + ": cannot be created"), below.getMessage());
        assertFalse(below.getMessage().contains("\n"));
    }

    @Test
    void unwritableOutDirGivesExitCode2() throws IOException {
        Path locked = tmp.resolve("locked");
        Files.createDirectories(locked);
        assumeTrue(locked.toFile().setWritable(false, false) && !Files.isWritable(locked),
                "permissions are not enforced for this user (root)");
        try {
            RunException e = assertThrows(RunException.class,
                    () -> SampleRun.execute(tiny(locked.resolve("run"), 1), Progress.SILENT));
            assertEquals(NnpostException.BAD_INPUT, e.exitCode());
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
        } finally {
            locked.toFile().setWritable(true, false);
        }
    }

    /** L = 0 is a linear readout of the input: no hidden kernels, and the "activations" are the inputs. */
    @Test
    void linearReadoutRunHasNoKernelsAndInputActivations() throws IOException {
        Path out = tmp.resolve("l0");
        ModelSpec model = new ModelSpec(0, N0, N0, M, Phi.LINEAR, Scaling.LAZY, 1.0, true, 1.0, 1.0);
        TaskSpec task = new TaskSpec("orthogonal", N0, P, PT, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 7);
        SamplerSpec sampler = new SamplerSpec("ula", new float[]{0.01f}, 2, 60, 20, 4, 2, 3);
        SampleRun.execute(new RunConfig(model, task, sampler, BackendSpec.cpu(1), out, false, "off"), Progress.SILENT);
        Set<String> files = names(out);
        assertFalse(files.contains("kernel_l1_train.npy"));
        assertTrue(files.contains("trace_sqnorm_a.npy"));
        assertFalse(files.contains("trace_sqnorm_W1.npy"));
        assertShape(out, "readout_samples.npy", "<f4", 2, 2, N0, M);
        assertShape(out, "activations_train.npy", "<f4", 2, 2, N0, P);
        float[] x = Npy.read(out.resolve("x_train.npy")).floats();          // [P, N0]
        float[] h = Npy.read(out.resolve("activations_train.npy")).floats(); // [chain, draw, N0, P]
        for (int i = 0; i < N0; i++)
            for (int mu = 0; mu < P; mu++) assertEquals(x[mu * N0 + i], h[(3 * N0 + i) * P + mu]);
        assertEquals("complete", Json.read(out.resolve("manifest.json")).get("status").asText());
    }

    @Test
    void failureMidRunMarksTheManifestFailedAndLeavesNoPartialFiles() throws IOException {
        Path out = tmp.resolve("fail");
        Progress breaking = new Progress() {
            @Override public void start(String d, long t) {}
            @Override public void update(long step, double l, double r) { if (step >= 100) throw new IllegalStateException("disk gone"); }
            @Override public void message(String line) {}
            @Override public void finish() {}
        };
        assertThrows(IllegalStateException.class, () -> SampleRun.execute(tiny(out, 1), breaking));
        JsonNode manifest = Json.read(out.resolve("manifest.json"));
        assertEquals("failed", manifest.get("status").asText());
        assertEquals("disk gone", manifest.get("error").asText());
        Set<String> files = names(out);
        assertFalse(files.contains("readout_samples.npy"));
        assertTrue(files.stream().noneMatch(f -> f.startsWith(".")), "no temporary files: " + files);
    }

    @Test
    void divergenceMessageListsAFewChainsAndCountsAll() {
        long[] at = {5, -1, 7, 7, 8, 9, 12, -1};
        assertEquals("chains diverged: chain 0 at step 5, chain 2 at step 7, chain 3 at step 7, chain 4 at step 8, "
                + "chain 5 at step 9, … (6 of 8 chains); lower --eta (now 0.001,0.0005)",
                SampleRun.divergenceMessage(at, new float[]{0.001f, 0.0005f}));
    }

    @Test
    void malaReportsAcceptanceRates() throws IOException {
        Path out = tmp.resolve("mala");
        SampleRun.execute(config(out, "mala", 0.01f, 2, 100, 20, 5, 2), Progress.SILENT);
        JsonNode acc = Json.read(out.resolve("summary.json")).get("acceptance_rate");
        assertEquals(C, acc.get("per_chain").size());
        for (JsonNode r : acc.get("per_chain")) assertTrue(r.asDouble() >= 0 && r.asDouble() <= 1, r.toString());
        assertTrue(acc.get("mean").asDouble() > 0, "a small step is mostly accepted");
    }

    @Test
    void numpyReadsTheRunsArrays() throws Exception {
        assumeTrue(python("import numpy").startsWith("0:"), "python3 with numpy not available");
        Path out = tmp.resolve("np");
        SampleRun.execute(tiny(out, 1), Progress.SILENT);
        double ours = Npy.read(out.resolve("trace_potential.npy")).doubles()[1 * 40 + 7];
        float act = Npy.read(out.resolve("activations_test.npy")).floats()[((2 * 3 + 1) * N + 5) * PT + 4];
        String r = python("import numpy as np, sys\n"
                + "u = np.load(sys.argv[1] + '/trace_potential.npy'); h = np.load(sys.argv[1] + '/activations_test.npy')\n"
                + "print(repr(float(u[1, 7])), repr(float(h[2, 1, 5, 4])), u.shape, h.shape)", out.toString());
        assertEquals("0:" + ours + " " + (double) act + " (4, 40) (4, 3, 16, 6)", r.strip());
    }

    private static String python(String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", "-c", script));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "-1:timeout";
            }
            return p.exitValue() + ":" + text;
        } catch (IOException e) {
            return "-1:" + e.getMessage();
        }
    }

    private static void assertShape(Path dir, String file, String descr, long... shape) {
        Npy.Array a = Npy.read(dir.resolve(file));
        assertEquals(descr, a.descr(), file);
        assertArrayEquals(shape, a.shape(), file);
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
