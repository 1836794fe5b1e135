package org.nnpost.analysis;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.RunConfig;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.theory.TheoryNumbers;

/**
 * The analysis reads a run directory the way SampleRun writes it: a synthetic run whose readout
 * draws come from a known Gaussian and whose predictor is the mean-field theory's own gives back
 * that covariance (within Monte Carlo error) and a zero predictor gap.
 */
class RunAnalysisTest {
    @TempDir Path tmp;

    @Test
    void readoutCovarianceAndPredictorGapAreReadFromTheRunsArrays() throws IOException {
        int L = 1, N = 50, N0 = 12, m = 2, P = 10, Pt = 8, C = 2, K = 5, D = 20;
        ModelSpec spec = new ModelSpec(L, N, N0, m, Phi.LINEAR, Scaling.MEANFIELD, 10, true, 1, 1);
        TaskSpec taskSpec = new TaskSpec("orthogonal", N0, P, Pt, new double[]{0.5, 0.5}, true, 1, -1, 0.5, 3);
        Task task = OrthogonalTask.generate(N0, P, Pt, new double[]{0.5, 0.5}, true, 1, -1, 0.5, 3);
        Path dir = Files.createDirectory(tmp.resolve("run"));
        write(dir, "train", task.train());
        write(dir, "test", task.test());
        TheoryNumbers th = TheoryNumbers.of(spec, task);
        Random rng = new Random(11);

        Npy.write(dir.resolve("kernel_l1_train.npy"), th.nngpTrain()[0], P, P);
        Npy.write(dir.resolve("kernel_l1_test.npy"), th.nngpTest()[0], Pt, Pt);
        float[] actTrain = new float[C * K * N * P], actTest = new float[C * K * N * Pt];
        for (int i = 0; i < actTrain.length; i++) actTrain[i] = (float) rng.nextGaussian();
        for (int i = 0; i < actTest.length; i++) actTest[i] = (float) rng.nextGaussian();
        Npy.write(dir.resolve("activations_train.npy"), actTrain, C, K, N, P);
        Npy.write(dir.resolve("activations_test.npy"), actTest, C, K, N, Pt);

        // readouts [chain, draw, N, m] from N(0, S), S = [[4, 1.2], [1.2, 1]]: a1 = 2 g1, a2 = 0.6 g1 + 0.8 g2
        float[] a = new float[C * K * N * m];
        for (int k = 0; k < C * K * N; k++) {
            double g1 = rng.nextGaussian(), g2 = rng.nextGaussian();
            a[k * m] = (float) (2 * g1);
            a[k * m + 1] = (float) (0.6 * g1 + 0.8 * g2);
        }
        Npy.write(dir.resolve("readout_samples.npy"), a, C, K, N, m);

        // the sampled predictor is the theory's own, so every gap to it is zero
        Npy.write(dir.resolve("predictor_mean_train.npy"), th.meanField().fTrain(), P, m);
        Npy.write(dir.resolve("predictor_mean_test.npy"), th.meanFieldTest(), Pt, m);
        double[] trace = new double[C * D];
        for (int i = 0; i < trace.length; i++) trace[i] = 1 + 0.1 * rng.nextGaussian();
        Npy.write(dir.resolve("trace_loss.npy"), trace, C, D);
        Npy.write(dir.resolve("trace_sqnorm_a.npy"), trace, C, D);
        ObjectNode summary = Json.object();
        summary.put("max_rhat", 1.01);
        Json.write(dir.resolve("summary.json"), summary);

        // 50 steps of burn-in, then a draw every 10 steps: D = 20 draws, as the traces above hold
        SamplerSpec sampler = new SamplerSpec("ula", SamplerSpec.uniformEta(2, 0.005f), C, 50 + 10 * D, 50, 10, K, 1);
        RunConfig run = new RunConfig(spec, taskSpec, sampler, BackendSpec.cpu(1), dir, false, "off");
        RunAnalysis.Subject recipe = new RunAnalysis.Subject("linear", "linear", run);
        RunAnalysis.Result r = RunAnalysis.of(recipe, dir);
        JsonNode cov = r.json().at("/readout/covariance_sampled");
        // n = C K N = 500 draws; standard errors: var(a1^2) = 2 S11^2 -> 0.25, var(a1 a2) = S11 S22 + S12^2 -> 0.10,
        // var(a2^2) = 2 S22^2 -> 0.063; four of them each
        assertEquals(500, r.json().at("/readout/samples_per_class").asInt());
        assertEquals(4.0, cov.get(0).asDouble(), 4 * 0.25);
        assertEquals(1.2, cov.get(1).asDouble(), 4 * 0.104);
        assertEquals(1.2, cov.get(2).asDouble(), 4 * 0.104);
        assertEquals(1.0, cov.get(3).asDouble(), 4 * 0.063);
        assertEquals(0.0, r.json().at("/predictor/test/rms_minus_mean_field").asDouble(), 1e-15);
        assertEquals(0.0, r.json().at("/predictor/train/rms_minus_mean_field").asDouble(), 1e-15);
        assertEquals(r.json().at("/test_error/mean_field_theory/overall").asDouble(),
                r.json().at("/test_error/sampling/overall").asDouble(), 0);
        assertEquals(1.01, r.json().at("/diagnostics/max_rhat").asDouble(), 0);
        assertTrue(r.text().contains("readout covariance U, mean-field theory"), r.text());
        assertTrue(r.json().path("kernel_vs_theory").isMissingNode(), "the nonlinear theory is for nonlinear phi");
        assertTrue(r.json().at("/predictor/test/rms_minus_nonlinear_theory").isMissingNode());
        for (Path p : r.panels()) assertTrue(Files.size(p) > 1000, p + " is nearly empty");
    }

    /**
     * An erf run whose kernel and predictor are the nonlinear mean-field theory's own: the kernel
     * panel gets the theory's heat map beside the sampled one, the predictor panel the theory's
     * dashed lines, and analysis.json zero gaps to it, with the class blocks' means.
     */
    @Test
    void nonlinearTheoryJoinsTheKernelAndPredictorPanels() throws IOException {
        int N = 40, N0 = 16, m = 2, P = 10, Pt = 6, C = 2, K = 3, D = 12;
        ModelSpec spec = new ModelSpec(1, N, N0, m, Phi.ERF, Scaling.MEANFIELD, 2, true, 1, 1);
        TaskSpec taskSpec = new TaskSpec("orthogonal", N0, P, Pt, new double[]{0.5, 0.5}, true, 1, -1, 0.5, 3);
        Task task = OrthogonalTask.generate(N0, P, Pt, new double[]{0.5, 0.5}, true, 1, -1, 0.5, 3);
        TheoryNumbers th = TheoryNumbers.of(spec, task);
        assertNotNull(th.nonlinear(), th.nonlinearWhy());
        Path dir = Files.createDirectory(tmp.resolve("erf"));
        write(dir, "train", task.train());
        write(dir, "test", task.test());
        Npy.write(dir.resolve("kernel_l1_train.npy"), th.nonlinear().kernel(), P, P);
        Npy.write(dir.resolve("kernel_l1_test.npy"), th.nngpTest()[0], Pt, Pt);
        Npy.write(dir.resolve("predictor_mean_train.npy"), th.nonlinear().fTrain(), P, m);
        Npy.write(dir.resolve("predictor_mean_test.npy"), th.nonlinearTest(), Pt, m);
        Random rng = new Random(2);
        float[] a = new float[C * K * N * m], hTrain = new float[C * K * N * P], hTest = new float[C * K * N * Pt];
        for (float[] v : new float[][]{a, hTrain, hTest}) for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        Npy.write(dir.resolve("readout_samples.npy"), a, C, K, N, m);
        Npy.write(dir.resolve("activations_train.npy"), hTrain, C, K, N, P);
        Npy.write(dir.resolve("activations_test.npy"), hTest, C, K, N, Pt);
        double[] trace = new double[C * D];
        for (int i = 0; i < trace.length; i++) trace[i] = 1 + 0.1 * rng.nextGaussian();
        Npy.write(dir.resolve("trace_loss.npy"), trace, C, D);
        Npy.write(dir.resolve("trace_sqnorm_a.npy"), trace, C, D);
        Json.write(dir.resolve("summary.json"), Json.object());
        SamplerSpec sampler = new SamplerSpec("ula", SamplerSpec.uniformEta(2, 0.005f), C, 50 + 10 * D, 50, 10, K, 1);
        RunConfig run = new RunConfig(spec, taskSpec, sampler, BackendSpec.cpu(1), dir, false, "off");
        RunAnalysis.Result r = RunAnalysis.of(new RunAnalysis.Subject("erf", "erf", run), dir);

        JsonNode k = r.json().path("kernel_vs_theory");
        assertEquals(0.0, k.path("rms_difference").asDouble(), 0);
        assertTrue(k.path("rms_theory").asDouble() > 0.01, k.toString());
        assertEquals(k.path("diagonal_theory").toString(), k.path("diagonal_sampled").toString());
        assertEquals(k.path("off_diagonal_theory").toString(), k.path("off_diagonal_sampled").toString());
        assertEquals(m * m, k.path("off_diagonal_theory").size());
        // the theory's kernel is constant on each class block off the diagonal, so the block means are its entries
        int[] lab = task.train().labels();
        int a0 = 0, a1 = 1;
        while (lab[a1] != lab[a0]) a1++;
        assertEquals(th.nonlinear().kernel()[a0 * P + a1], k.path("off_diagonal_theory").get(lab[a0] * m + lab[a0]).asDouble(), 1e-12);
        for (String f : new String[]{"/predictor/train/rms_minus_nonlinear_theory", "/predictor/test/rms_minus_nonlinear_theory"})
            assertEquals(0.0, r.json().at(f).asDouble(-1), 0, f);
        assertTrue(r.json().at("/predictor/test/rms_nonlinear_theory").asDouble() > 0.01);
        assertEquals(r.json().at("/predictor/test/class_means_nonlinear_theory").toString(),
                r.json().at("/predictor/test/class_means_sampled").toString());

        java.util.Map<String, String> caption = new java.util.HashMap<>();
        r.captions().forEach((f, c) -> caption.put(f.getFileName().toString(), c));
        assertTrue(caption.get("kernel_l1_train.png").contains("nonlinear mean-field theory's posterior-averaged kernel"));
        assertTrue(caption.get("predictor.png").contains("nonlinear mean-field theory (N -> infinity) dashed"));
        assertFalse(caption.get("kernel_l1_test.png").contains("theory"), "no theory of the test kernel");
        java.awt.image.BufferedImage kp = javax.imageio.ImageIO.read(dir.resolve("kernel_l1_train.png").toFile());
        assertTrue(kp.getWidth() > 3 * org.nnpost.report.Plots.WIDTH / 2, "sampled and theory side by side");
    }

    private static void write(Path dir, String which, Dataset d) {
        Npy.write(dir.resolve("x_" + which + ".npy"), d.x(), d.P(), d.N0());
        Npy.write(dir.resolve("y_" + which + ".npy"), d.y(), d.P(), d.m());
        Npy.writeInt64(dir.resolve("labels_" + which + ".npy"), d.labels(), d.P());
    }
}
