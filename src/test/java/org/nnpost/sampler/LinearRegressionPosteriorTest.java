package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * L = 0 is Bayesian linear regression: f(x) = c a x with c = N0^(−γ), so the posterior of each
 * output's readout a_r ∈ R^N0 is Gaussian with
 *
 * <pre>
 *   precision A = β c² XᵀX + I/σ_a²,   mean μ_r = A⁻¹ β c Xᵀ y_r,   covariance A⁻¹,
 * </pre>
 * independently across outputs r. ULA on U = ½ (θ−μ)ᵀ A (θ−μ) is the linear recursion
 * θ' − μ = (I − ηA)(θ − μ) + √(2η) ξ, whose stationary mean is μ exactly and whose stationary
 * covariance S solves S = (I−ηA) S (I−ηA) + 2η I; since S commutes with A,
 * S = 2η (2ηA − η²A²)⁻¹ = (A (2I − ηA) / 2)⁻¹ = A⁻¹ + η/2 I + O(η²). So the bias is known in
 * closed form and halves with η; MALA has none.
 *
 * <p>Errors are estimated across chains: each chain yields a time average (of θ, or of
 * (θ−μ)(θ−μ)ᵀ centred at the exact mean), and the standard error of the average over C
 * independent chains is sd(chain averages)/√C. Every comparison is at 4 standard errors.
 */
class LinearRegressionPosteriorTest {
    static final int N0 = 3, P = 5, M = 2, D = M * N0;
    static final int C = 64, BURN_IN = 500, STEPS = 8000;
    static final double BETA0 = 1.0, SIGMA_A2 = 1.0, Z = 4.0;
    static final float ETA = 0.1f;

    static Task task() {
        SplittableRandom r = new SplittableRandom(2024);
        float[] x = new float[P * N0];
        for (int i = 0; i < x.length; i++)
            x[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        int[] labels = {0, 1, 1, 0, 1};
        Dataset d = new Dataset(P, N0, M, x, labels, Dataset.targets(labels, M, 1.0, -1.0));
        return new Task("gaussian", d, d);
    }

    static ModelSpec spec(Scaling s) {
        return new ModelSpec(0, N0, N0, M, Phi.LINEAR, s, BETA0, true, 1.0, SIGMA_A2);
    }

    /** The Gaussian posterior, written from the formulas above (not from the model code). */
    record Posterior(double[][] precision, double[] mean, double[][] covariance) {
        static Posterior of(ModelSpec spec, Dataset d) {
            double gamma = spec.scaling().gamma;
            double c = Math.pow(N0, -gamma), beta = BETA0 * Math.pow(N0, 2 * gamma - 1);
            double[][] A = new double[N0][N0];
            for (int i = 0; i < N0; i++) {
                A[i][i] = 1 / SIGMA_A2;
                for (int j = 0; j < N0; j++)
                    for (int mu = 0; mu < P; mu++) A[i][j] += beta * c * c * d.x()[mu * N0 + i] * d.x()[mu * N0 + j];
            }
            double[][] cov = inverse(A);
            double[] mean = new double[D];
            for (int r = 0; r < M; r++)
                for (int i = 0; i < N0; i++)
                    for (int j = 0; j < N0; j++) {
                        double b = 0;
                        for (int mu = 0; mu < P; mu++) b += beta * c * d.y()[mu * M + r] * d.x()[mu * N0 + j];
                        mean[r * N0 + i] += cov[i][j] * b;
                    }
            return new Posterior(A, mean, cov);
        }

        /** ULA's stationary covariance of one output's block: (A (2I − ηA)/2)⁻¹. */
        double[][] ulaCovariance(double eta) {
            double[][] B = new double[N0][N0];
            for (int i = 0; i < N0; i++)
                for (int j = 0; j < N0; j++) {
                    double a2 = 0;
                    for (int k = 0; k < N0; k++) a2 += precision[i][k] * precision[k][j];
                    B[i][j] = precision[i][j] - eta / 2 * a2;
                }
            return inverse(B);
        }

        /** The full D × D covariance for a per-output block: outputs are independent. */
        static double[][] blockDiagonal(double[][] block) {
            double[][] full = new double[D][D];
            for (int r = 0; r < M; r++)
                for (int i = 0; i < N0; i++)
                    for (int j = 0; j < N0; j++) full[r * N0 + i][r * N0 + j] = block[i][j];
            return full;
        }
    }

    /** Chain averages of θ and of (θ − μ)(θ − μ)ᵀ, and their means and standard errors over chains. */
    record Estimate(double[] mean, double[] meanSe, double[][] cov, double[][] covSe, double trace, double traceSe,
                    double acceptRate) {}

    static Estimate sample(Sampler sampler, Scaling scaling, double[] exactMean, int seed) {
        ModelSpec spec = spec(scaling);
        double[][] m = new double[C][D];
        double[][][] s = new double[C][D][D];
        double acc;
        try (CpuBackend b = new CpuBackend(spec, task(), C, 2)) {
            b.load(ChainState.fromPrior(spec, C, seed));
            sampler.init(b);
            for (int t = 0; t < BURN_IN; t++) sampler.step(b);
            long[] accepted0 = b.accepted();
            for (int t = 0; t < STEPS; t++) {
                sampler.step(b);
                float[] a = b.snapshot().params()[0];
                for (int c = 0; c < C; c++)
                    for (int i = 0; i < D; i++) {
                        double di = a[c * D + i] - exactMean[i];
                        m[c][i] += a[c * D + i];
                        for (int j = 0; j <= i; j++) s[c][i][j] += di * (a[c * D + j] - exactMean[j]);
                    }
            }
            long total = 0;
            long[] accepted = b.accepted();
            for (int c = 0; c < C; c++) total += accepted[c] - accepted0[c];
            acc = (double) total / C / STEPS;
        }
        double[] mean = new double[D], meanSe = new double[D];
        double[][] cov = new double[D][D], covSe = new double[D][D];
        double[] tr = new double[C];
        for (int c = 0; c < C; c++)
            for (int i = 0; i < D; i++) {
                m[c][i] /= STEPS;
                for (int j = 0; j <= i; j++) s[c][i][j] /= STEPS;
                tr[c] += s[c][i][i];
            }
        for (int i = 0; i < D; i++) {
            double[] v = new double[C];
            for (int c = 0; c < C; c++) v[c] = m[c][i];
            mean[i] = avg(v);
            meanSe[i] = se(v);
            for (int j = 0; j <= i; j++) {
                for (int c = 0; c < C; c++) v[c] = s[c][i][j];
                cov[i][j] = cov[j][i] = avg(v);
                covSe[i][j] = covSe[j][i] = se(v);
            }
        }
        return new Estimate(mean, meanSe, cov, covSe, avg(tr), se(tr), acc);
    }

    static double trace(double[][] a) {
        double t = 0;
        for (int i = 0; i < a.length; i++) t += a[i][i];
        return t;
    }

    static void assertCovariance(double[][] expected, Estimate e, String what) {
        for (int i = 0; i < D; i++)
            for (int j = 0; j <= i; j++)
                assertEquals(expected[i][j], e.cov[i][j], Z * e.covSe[i][j], what + " covariance (" + i + "," + j + ")");
        assertEquals(trace(expected), e.trace, Z * e.traceSe, what + " trace of the covariance");
    }

    static void assertMean(double[] expected, Estimate e, String what) {
        for (int i = 0; i < D; i++) assertEquals(expected[i], e.mean[i], Z * e.meanSe[i], what + " mean " + i);
    }

    @Test
    void ulaRecoversTheMeanAndItsClosedFormBiasedCovarianceWhichHalvesWithEta() {
        Scaling sc = Scaling.MEANFIELD;
        Posterior post = Posterior.of(spec(sc), task().train());
        double[][] exact = Posterior.blockDiagonal(post.covariance);
        double exactTrace = trace(exact);

        Estimate full = sample(new Ula(new float[]{ETA}), sc, post.mean, 1);
        Estimate half = sample(new Ula(new float[]{ETA / 2}), sc, post.mean, 2);
        double[][] ulaFull = Posterior.blockDiagonal(post.ulaCovariance(ETA));
        double[][] ulaHalf = Posterior.blockDiagonal(post.ulaCovariance(ETA / 2));

        assertMean(post.mean, full, "ULA eta");
        assertMean(post.mean, half, "ULA eta/2");
        assertCovariance(ulaFull, full, "ULA eta");
        assertCovariance(ulaHalf, half, "ULA eta/2");

        // the bias is visible (well beyond 4 SE) at eta, and halving eta moves the estimate
        // toward the exact covariance by the predicted factor (≈ ½ to first order in η)
        double biasFull = full.trace - exactTrace, biasHalf = half.trace - exactTrace;
        assertTrue(biasFull > 10 * full.traceSe, "ULA bias at eta " + biasFull + " vs SE " + full.traceSe);
        double predicted = (trace(ulaHalf) - exactTrace) / (trace(ulaFull) - exactTrace);
        assertEquals(0.5, predicted, 0.05, "closed-form bias ratio");
        double ratio = biasHalf / biasFull;
        double ratioSe = Math.hypot(half.traceSe, ratio * full.traceSe) / biasFull;
        assertEquals(predicted, ratio, Z * ratioSe, "measured bias ratio eta/2 : eta");
    }

    @Test
    void malaRecoversTheExactCovarianceWhereUlaIsBiased() {
        Scaling sc = Scaling.LAZY;
        Posterior post = Posterior.of(spec(sc), task().train());
        double[][] exact = Posterior.blockDiagonal(post.covariance);
        // ULA at this eta is biased by many standard errors (the test above measures it)
        double ulaBias = trace(Posterior.blockDiagonal(post.ulaCovariance(ETA))) - trace(exact);

        Estimate mala = sample(new Mala(new float[]{ETA}), sc, post.mean, 3);
        assertTrue(ulaBias > 10 * mala.traceSe, "ULA's bias " + ulaBias + " must be visible at this SE " + mala.traceSe);
        assertTrue(mala.acceptRate > 0.5 && mala.acceptRate < 1.0, "MALA accept rate " + mala.acceptRate);
        assertMean(post.mean, mala, "MALA");
        assertCovariance(exact, mala, "MALA");
    }

    /** The closed form uses its own c and β; they must be the model's. */
    @Test
    void closedFormUsesTheModelsScaleAndTemperature() {
        for (Scaling sc : Scaling.values()) {
            ModelSpec spec = spec(sc);
            assertEquals(Math.pow(N0, -sc.gamma), spec.scale(0), 1e-15);
            assertEquals(BETA0 * Math.pow(N0, 2 * sc.gamma - 1), spec.beta(), 1e-15);
        }
    }

    static double avg(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    static double se(double[] v) {
        double a = avg(v), s = 0;
        for (double x : v) s += (x - a) * (x - a);
        return Math.sqrt(s / (v.length - 1) / v.length);
    }

    /** Gauss–Jordan with partial pivoting (the matrices are small and well conditioned). */
    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] w = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, w[i], 0, n);
            w[i][n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(w[r][col]) > Math.abs(w[piv][col])) piv = r;
            double[] t = w[col]; w[col] = w[piv]; w[piv] = t;
            double d = w[col][col];
            for (int k = 0; k < 2 * n; k++) w[col][k] /= d;
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = w[r][col];
                for (int k = 0; k < 2 * n; k++) w[r][k] -= f * w[col][k];
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) System.arraycopy(w[i], n, inv[i], 0, n);
        return inv;
    }
}
