package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.io.Npy;
import org.nnpost.model.Phi;
import org.nnpost.theory.NonlinearMeanField;

/**
 * Full networks sampled by {@code nnpost sample} converge to the N → ∞ nonlinear mean-field
 * theory (SPEC §7) like 1/N: one hidden layer, erf and ReLU, mean-field scaling, P = N0 = 8,
 * two classes of four orthogonal inputs, y± = ±1, β₀ = 5, σ_w² = σ_a² = 1, at N = 50, 200, 800.
 * The theory is regular there for both φ (no ReLU wall: with four inputs per class the plateau
 * beyond the edge is high, SPEC §7).
 *
 * <p>What is compared: twelve numbers per φ, each an average the theory predicts exactly as
 * N → ∞ and that the class symmetry of the task lets us pool: the per-neuron readout moment
 * U = ⟨(1/N) Σ_i a_i a_iᵀ⟩ (three entries), the train outputs F averaged over the inputs of each
 * class (four: class × output), and the kernel K = ⟨(1/N) Σ_i φ(z_iμ) φ(z_iν)⟩ averaged over its
 * diagonal per class, its same-class off-diagonal per class and its other-class block (five).
 * Each run keeps every draw whole, and the numbers are computed per draw from the saved readouts
 * and activations, so U, F and K here are exactly the run's (float32) outputs.
 *
 * <p>Errors: each chain's draws are cut into {@link #BATCHES} consecutive batches; the standard
 * error is the spread of the C · B batch means over √(C · B). A batch spans at least 200 steps,
 * and the slowest trace's integrated autocorrelation time at these settings is under 20 steps
 * (bulk ESS ≈ the number of draws at a draw every 20 steps), so batch means are independent.
 *
 * <p>The fit: y(N) = y∞ + b/N by weighted least squares in 1/N, weights 1/SE², the three widths
 * being independent runs; y∞'s standard error from the fit's covariance (not rescaled by χ²).
 * Checked per number: (1) |y∞ − theory| ≤ 4 SE(y∞) + the step-size bias below; (2) the three
 * widths are consistent with a + b/N, χ² (one degree of freedom) ≤ 15 (p ≈ 10⁻⁴): the gap
 * shrinks like 1/N. Twelve numbers per φ at 4σ keep the chance of a false alarm near 10⁻³.
 *
 * <p>Step-size bias: ULD (BAOAB) at {@code --eta auto}. BAOAB's configurational bias is O(η)
 * (O(h²), h = √(2η)), and with β = β₀N each weight feels O(1) forces at every N, so the auto step
 * sizes (about 0.02 to 0.03 for W¹ and 0.03 to 0.07 for a here) and the bias per neuron are
 * nearly the same at every width: a bias would survive the extrapolation rather than shrink like
 * 1/N. It was measured at N = 50, for both φ, with 8 chains × 1800 independent draws at
 * --eta auto against fixed steps about five times smaller (ULD's bias shrinks in proportion):
 * no number moved by more than 2.2 of the two runs' combined standard errors, and none by more
 * than 0.1% of the largest theory entry of its block (U, F or K; the largest: 0.004 in U_11 of
 * erf, 0.0006 in ReLU's other-class kernel, 0.0005 in erf's same-class kernel). So
 * {@link #BIAS} times that block scale is added to each tolerance: a bound on what those
 * measurements could hide, small beside the 4 SE of the extrapolation.
  */
class MeanFieldConvergenceTest {

    @TempDir Path tmp;

    static final int P = 8, N0 = 8, M = 2, BATCHES = 8, CHAINS = 4, EVERY = 10, BURN_IN = 1500;
    static final double BETA0 = 5, BIAS = 0.001;
    /** Widths and steps per chain: fewer at large N, where each draw averages over more neurons. */
    static final int[] WIDTHS = {50, 200, 800}, STEPS = {11500, 5500, 3500};

    static final String[] NAMES = {"U_00", "U_01", "U_11", "F[class 0]_0", "F[class 0]_1", "F[class 1]_0", "F[class 1]_1",
            "K diag, class 0", "K diag, class 1", "K same class 0", "K same class 1", "K other class"};

    @Test
    void erfNetworksApproachTheTheoryLikeOneOverN() { converges(Phi.ERF); }

    @Test
    void reluNetworksApproachTheTheoryLikeOneOverN() { converges(Phi.RELU); }

    private void converges(Phi phi) {
        int q = NAMES.length, n = WIDTHS.length;
        double[][] mean = new double[n][], se = new double[n][];
        int[] labels = null;
        double[] y = null;
        for (int w = 0; w < n; w++) {
            Path dir = tmp.resolve(phi.id() + "-" + WIDTHS[w]);
            sample(phi, WIDTHS[w], STEPS[w], dir);
            labels = ints(Npy.read(dir.resolve("labels_train.npy")).longs());
            y = doubles(Npy.read(dir.resolve("y_train.npy")).floats());
            double[][] ms = measure(dir, WIDTHS[w], labels);
            mean[w] = ms[0];
            se[w] = ms[1];
        }
        NonlinearMeanField th = NonlinearMeanField.solve(phi, 1, 1, BETA0, labels, y, M, 0.5);
        assertEquals(NonlinearMeanField.Status.REGULAR, th.status(), phi.id() + ": the theory is regular here");
        double[] theory = observables(th.u(), th.fTrain(), th.kernel(), labels);
        // each number's block scale: the largest |theory| among U (0..2), F (3..6), K (7..11)
        double[] scale = new double[theory.length];
        int[][] blocks = {{0, 3}, {3, 7}, {7, 12}};
        for (int[] bl : blocks) {
            double mx = 0;
            for (int j = bl[0]; j < bl[1]; j++) mx = Math.max(mx, Math.abs(theory[j]));
            for (int j = bl[0]; j < bl[1]; j++) scale[j] = mx;
        }

        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%s, beta0 = %s, P = N0 = %d:%n", phi.id(), BETA0, P));
        List<String> failures = new ArrayList<>();
        for (int j = 0; j < q; j++) {
            double[] x = new double[n], v = new double[n], s = new double[n];
            for (int w = 0; w < n; w++) { x[w] = 1.0 / WIDTHS[w]; v[w] = mean[w][j]; s[w] = se[w][j]; }
            double[] fit = fit(x, v, s);   // intercept, its SE, slope, chi²
            double allowed = 4 * fit[1] + BIAS * scale[j];
            table.append(String.format(Locale.ROOT, "  %-16s", NAMES[j]));
            for (int w = 0; w < n; w++) table.append(String.format(Locale.ROOT, " N=%d %.5f±%.5f", WIDTHS[w], v[w], s[w]));
            table.append(String.format(Locale.ROOT, " | N->inf %.5f±%.5f, slope %.3f, chi2 %.2f | theory %.5f (%.1f SE)%n",
                    fit[0], fit[1], fit[2], fit[3], theory[j], (fit[0] - theory[j]) / fit[1]));
            if (!(Math.abs(fit[0] - theory[j]) <= allowed))
                failures.add(String.format(Locale.ROOT, "%s: extrapolated %.5f ± %.5f, theory %.5f, allowed ±%.5f", NAMES[j], fit[0], fit[1], theory[j], allowed));
            if (!(fit[3] <= 15))
                failures.add(String.format(Locale.ROOT, "%s: the widths are not on a line in 1/N (chi2 %.1f)", NAMES[j], fit[3]));
        }
        System.out.print(table);
        assertTrue(failures.isEmpty(), phi.id() + ": " + String.join("; ", failures) + "\n" + table);
    }

    /** nnpost sample, as a user types it: ULD at --eta auto, every draw kept whole. */
    private static void sample(Phi phi, int N, int steps, Path dir) {
        int draws = (steps - BURN_IN) / EVERY;
        String[] args = {"sample", "--phi", phi.id(), "--N", "" + N, "--N0", "" + N0, "--P", "" + P, "--Ptest", "2",
                "--class-ratios", "0.5,0.5", "--beta0", "" + BETA0, "--sampler", "uld", "--eta", "auto",
                "--chains", "" + CHAINS, "--steps", "" + steps, "--burn-in", "" + BURN_IN, "--every", "" + EVERY,
                "--keep", "" + draws, "--seed", "3", "--backend", "cpu", "--threads", "2",
                "--progress", "off", "--checkpoint-every", "off", "--out", dir.toString()};
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        assertEquals(0, code, "N = " + N + ": " + e.toString(StandardCharsets.UTF_8));
    }

    /** The twelve numbers per batch of draws: mean and standard error over the C · B batch means. */
    private static double[][] measure(Path dir, int N, int[] labels) {
        Npy.Array ra = Npy.read(dir.resolve("readout_samples.npy")), ha = Npy.read(dir.resolve("activations_train.npy"));
        float[] a = ra.floats(), h = ha.floats();
        int C = (int) ra.shape()[0], K = (int) ra.shape()[1];
        assertEquals(N, ra.shape()[2]);
        int q = NAMES.length, nb = C * BATCHES;
        double[][] batch = new double[nb][q];
        double[] u = new double[M * M], f = new double[P * M], k = new double[P * P];
        for (int c = 0; c < C; c++)
            for (int d = 0; d < K; d++) {
                long ao = ((long) c * K + d) * N * M, ho = ((long) c * K + d) * N * P;
                java.util.Arrays.fill(u, 0);
                java.util.Arrays.fill(f, 0);
                java.util.Arrays.fill(k, 0);
                for (int i = 0; i < N; i++) {
                    for (int r = 0; r < M; r++) {
                        double ar = a[(int) (ao + (long) i * M + r)];
                        for (int s = 0; s < M; s++) u[r * M + s] += ar * a[(int) (ao + (long) i * M + s)];
                        for (int mu = 0; mu < P; mu++) f[mu * M + r] += ar * h[(int) (ho + (long) i * P + mu)];
                    }
                    for (int mu = 0; mu < P; mu++) {
                        double hm = h[(int) (ho + (long) i * P + mu)];
                        for (int nu = 0; nu < P; nu++) k[mu * P + nu] += hm * h[(int) (ho + (long) i * P + nu)];
                    }
                }
                for (int i = 0; i < u.length; i++) u[i] /= N;
                for (int i = 0; i < f.length; i++) f[i] /= N;
                for (int i = 0; i < k.length; i++) k[i] /= N;
                double[] o = observables(u, f, k, labels);
                // draws d·B/K .. form batch b: B nearly equal consecutive runs of draws
                double[] row = batch[c * BATCHES + (int) ((long) d * BATCHES / K)];
                for (int j = 0; j < q; j++) row[j] += o[j];
            }
        double[] mean = new double[q], se = new double[q];
        for (int b = 0; b < nb; b++) {
            int lo = (int) Math.ceil((double) (b % BATCHES) * K / BATCHES), hi = (int) Math.ceil((double) (b % BATCHES + 1) * K / BATCHES);
            for (int j = 0; j < q; j++) batch[b][j] /= hi - lo;
        }
        for (int j = 0; j < q; j++) {
            double s = 0, s2 = 0;
            for (double[] row : batch) s += row[j];
            mean[j] = s / nb;
            for (double[] row : batch) s2 += (row[j] - mean[j]) * (row[j] - mean[j]);
            se[j] = Math.sqrt(s2 / (nb - 1) / nb);
        }
        return new double[][]{mean, se};
    }

    /** U (m × m), F (P × m), K (P × P) pooled into the twelve numbers over the classes' blocks. */
    static double[] observables(double[] u, double[] f, double[] k, int[] labels) {
        double[] o = new double[NAMES.length];
        o[0] = u[0];
        o[1] = u[1];
        o[2] = u[3];
        double[] fc = new double[M * M], kd = new double[M], ks = new double[M], nc = new double[M], ns = new double[M];
        double kx = 0, nx = 0;
        for (int mu = 0; mu < P; mu++) {
            int c = labels[mu];
            nc[c]++;
            for (int r = 0; r < M; r++) fc[c * M + r] += f[mu * M + r];
            kd[c] += k[mu * P + mu];
            for (int nu = 0; nu < P; nu++) {
                if (nu == mu) continue;
                if (labels[nu] == c) { ks[c] += k[mu * P + nu]; ns[c]++; }
                else { kx += k[mu * P + nu]; nx++; }
            }
        }
        for (int c = 0; c < M; c++) {
            for (int r = 0; r < M; r++) o[3 + c * M + r] = fc[c * M + r] / nc[c];
            o[7 + c] = kd[c] / nc[c];
            o[9 + c] = ks[c] / ns[c];
        }
        o[11] = kx / nx;
        return o;
    }

    /**
     * Weighted least squares y = y∞ + b x, weights 1/s²: {y∞, SE(y∞), b, χ²}, the covariance
     * (XᵀWX)⁻¹ taken as it is (the s are the errors, not relative weights).
     */
    static double[] fit(double[] x, double[] y, double[] s) {
        double s0 = 0, s1 = 0, s2 = 0, sy = 0, sxy = 0;
        for (int i = 0; i < x.length; i++) {
            double w = 1 / (s[i] * s[i]);
            s0 += w; s1 += w * x[i]; s2 += w * x[i] * x[i]; sy += w * y[i]; sxy += w * x[i] * y[i];
        }
        double det = s0 * s2 - s1 * s1, a = (s2 * sy - s1 * sxy) / det, b = (s0 * sxy - s1 * sy) / det, chi2 = 0;
        for (int i = 0; i < x.length; i++) chi2 += Math.pow((y[i] - a - b * x[i]) / s[i], 2);
        return new double[]{a, Math.sqrt(s2 / det), b, chi2};
    }

    private static int[] ints(long[] v) {
        int[] o = new int[v.length];
        for (int i = 0; i < v.length; i++) o[i] = (int) v[i];
        return o;
    }

    private static double[] doubles(float[] v) {
        double[] o = new double[v.length];
        for (int i = 0; i < v.length; i++) o[i] = v[i];
        return o;
    }
}
