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
import org.nnpost.theory.LinearRegressionPosterior;

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

    /**
     * The Gaussian posterior, written from the formulas above (not from the model code): c and β
     * from N0 and β₀ here, checked against the model by {@link #closedFormUsesTheModelsScaleAndTemperature}.
     */
    static LinearRegressionPosterior posterior(Scaling s) {
        double gamma = s.gamma;
        double c = Math.pow(N0, -gamma), beta = BETA0 * Math.pow(N0, 2 * gamma - 1);
        return LinearRegressionPosterior.of(task().train(), c, beta, SIGMA_A2);
    }

    /** Chain averages of θ and of (θ − μ)(θ − μ)ᵀ, and their means and standard errors over chains. */
    record Estimate(double[] mean, double[] meanSe, double[][] cov, double[][] covSe, double trace, double traceSe,
                    double acceptRate, double momentumTrace, double momentumTraceSe) {}

    static Estimate sample(Sampler sampler, Scaling scaling, double[] exactMean, int seed) {
        ModelSpec spec = spec(scaling);
        double[][] m = new double[C][D];
        double[][][] s = new double[C][D][D];
        double[] p2 = new double[C];
        double acc;
        try (CpuBackend b = new CpuBackend(spec, task(), C, 2)) {
            b.load(sampler.start(ChainState.fromPrior(spec, C, seed), spec));
            sampler.init(b);
            for (int t = 0; t < BURN_IN; t++) sampler.step(b);
            long[] accepted0 = b.accepted();
            for (int t = 0; t < STEPS; t++) {
                sampler.step(b);
                ChainState now = b.snapshot();
                float[] a = now.params()[0];
                if (now.momenta() != null)
                    for (int c = 0; c < C; c++)
                        for (int i = 0; i < D; i++) p2[c] += (double) now.momenta()[0][c * D + i] * now.momenta()[0][c * D + i];
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
        for (int c = 0; c < C; c++) p2[c] /= STEPS;
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
        return new Estimate(mean, meanSe, cov, covSe, avg(tr), se(tr), acc, avg(p2), se(p2));
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
        LinearRegressionPosterior post = posterior(sc);
        double[][] exact = post.blockDiagonal(post.covariance());
        double exactTrace = trace(exact);

        Estimate full = sample(new Ula(new float[]{ETA}), sc, post.flatMean(), 1);
        Estimate half = sample(new Ula(new float[]{ETA / 2}), sc, post.flatMean(), 2);
        double[][] ulaFull = post.blockDiagonal(post.ulaCovariance(ETA));
        double[][] ulaHalf = post.blockDiagonal(post.ulaCovariance(ETA / 2));

        assertMean(post.flatMean(), full, "ULA eta");
        assertMean(post.flatMean(), half, "ULA eta/2");
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
        LinearRegressionPosterior post = posterior(sc);
        double[][] exact = post.blockDiagonal(post.covariance());
        // ULA at this eta is biased by many standard errors (the test above measures it)
        double ulaBias = trace(post.blockDiagonal(post.ulaCovariance(ETA))) - trace(exact);

        Estimate mala = sample(new Mala(new float[]{ETA}), sc, post.flatMean(), 3);
        assertTrue(ulaBias > 10 * mala.traceSe, "ULA's bias " + ulaBias + " must be visible at this SE " + mala.traceSe);
        assertTrue(mala.acceptRate > 0.5 && mala.acceptRate < 1.0, "MALA accept rate " + mala.acceptRate);
        assertMean(post.flatMean(), mala, "MALA");
        assertCovariance(exact, mala, "MALA");
    }

    /**
     * BAOAB samples a Gaussian's configuration exactly at any stable step (Leimkuhler &amp; Matthews
     * 2013): at the η where ULA is biased by many standard errors, ULD's θ-covariance is A⁻¹. Its
     * momenta are not exact; their stationary covariance solves the discrete Lyapunov equation of
     * the linear BAOAB map, computed here from the scheme's definition, and the sampled momentum
     * second moment must match it. The same Lyapunov solution's θ block must be A⁻¹, which checks
     * the exactness claim itself. At η/2 the θ-covariance stays exact and the momenta's bias falls
     * by the predicted factor (about ½: O(h²) = O(η)).
     */
    @Test
    void uldSamplesTheExactCovarianceAndItsMomentaFollowTheBaoabLaw() {
        Scaling sc = Scaling.MEANFIELD;
        LinearRegressionPosterior post = posterior(sc);
        double[][] exact = post.blockDiagonal(post.covariance());
        double ulaBias = trace(post.blockDiagonal(post.ulaCovariance(ETA))) - trace(exact);
        double friction = 2.0;

        double[][] law = baoabStationaryCovariance(post.precision(), ETA, friction);
        for (int i = 0; i < N0; i++)
            for (int j = 0; j < N0; j++)
                assertEquals(post.covariance()[i][j], law[i][j], 1e-9, "BAOAB's stationary θ-covariance is A⁻¹ at (" + i + "," + j + ")");
        double momentumTrace = 0;
        for (int i = 0; i < N0; i++) momentumTrace += M * law[N0 + i][N0 + i];

        Estimate uld = sample(new Uld(new float[]{ETA}, new float[]{(float) friction}), sc, post.flatMean(), 4);
        assertTrue(ulaBias > 10 * uld.traceSe, "ULA's bias " + ulaBias + " must be visible at this SE " + uld.traceSe);
        assertMean(post.flatMean(), uld, "ULD");
        assertCovariance(exact, uld, "ULD");
        assertTrue(Math.abs(momentumTrace - D) > 10 * uld.momentumTraceSe,
                "the momenta's bias " + (momentumTrace - D) + " must be visible at this SE " + uld.momentumTraceSe);
        assertEquals(momentumTrace, uld.momentumTrace, Z * uld.momentumTraceSe, "ULD momentum second moment");

        // halving eta: theta stays exact, and the momenta's bias, O(h^2) = O(eta), falls as the Lyapunov law says
        double[][] lawHalf = baoabStationaryCovariance(post.precision(), ETA / 2, friction);
        double momentumHalf = 0;
        for (int i = 0; i < N0; i++) momentumHalf += M * lawHalf[N0 + i][N0 + i];
        double predicted = (momentumHalf - D) / (momentumTrace - D);
        assertEquals(0.5, predicted, 0.1, "the predicted bias ratio is about 1/2");
        Estimate half = sample(new Uld(new float[]{ETA / 2}, new float[]{(float) friction}), sc, post.flatMean(), 5);
        assertCovariance(exact, half, "ULD at eta/2");
        double ratio = (half.momentumTrace - D) / (uld.momentumTrace - D);
        double ratioSe = Math.hypot(half.momentumTraceSe, ratio * uld.momentumTraceSe) / Math.abs(uld.momentumTrace - D);
        assertEquals(predicted, ratio, Z * ratioSe, "measured momentum bias ratio eta/2 : eta");
    }

    /**
     * The stationary covariance of (θ − μ, p) under one BAOAB step on U = ½ θᵀAθ with h = √(2η):
     * x ↦ Mx + Nξ with M = B A O A B and N = B A [0; √(1−e^{−2γh}) I], iterated S ↦ M S Mᵀ + N Nᵀ
     * to its fixed point.
     */
    static double[][] baoabStationaryCovariance(double[][] precision, double eta, double friction) {
        int n = precision.length, d = 2 * n;
        double half = Math.sqrt(2 * eta) / 2, decay = Math.exp(-friction * 2 * half), noise = Math.sqrt(1 - decay * decay);
        double[][] kick = identity(d), drift = identity(d), ou = identity(d), inject = new double[d][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) kick[n + i][j] = -half * precision[i][j];
            drift[i][n + i] = half;
            ou[n + i][n + i] = decay;
            inject[n + i][n + i] = noise;
        }
        double[][] step = mul(kick, mul(drift, mul(ou, mul(drift, kick))));
        double[][] in = mul(kick, mul(drift, inject));
        double[][] q = mul(in, transpose(in)), s = new double[d][d];
        for (int it = 0; it < 100_000; it++) {
            double[][] next = add(mul(step, mul(s, transpose(step))), q);
            double change = 0;
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++) change = Math.max(change, Math.abs(next[i][j] - s[i][j]));
            s = next;
            if (change < 1e-14) return s;
        }
        throw new AssertionError("the BAOAB map did not contract");
    }

    static double[][] identity(int n) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) a[i][i] = 1;
        return a;
    }

    static double[][] mul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++)
            for (int k = 0; k < b.length; k++)
                for (int j = 0; j < b[0].length; j++) c[i][j] += a[i][k] * b[k][j];
        return c;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[0].length; j++) t[j][i] = a[i][j];
        return t;
    }

    static double[][] add(double[][] a, double[][] b) {
        double[][] c = new double[a.length][a[0].length];
        for (int i = 0; i < a.length; i++)
            for (int j = 0; j < a[0].length; j++) c[i][j] = a[i][j] + b[i][j];
        return c;
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

    /** The shared closed form solves its own equations: A A⁻¹ = I, A μ_r = β c Xᵀ y_r, and ULA's covariance at η = 0 is A⁻¹. */
    @Test
    void closedFormSolvesItsEquations() {
        Dataset d = task().train();
        double c = Math.pow(N0, -1.0), beta = BETA0;
        LinearRegressionPosterior post = LinearRegressionPosterior.of(d, c, beta, SIGMA_A2);
        double[][] A = post.precision(), cov = post.covariance(), ula0 = post.ulaCovariance(0);
        for (int i = 0; i < N0; i++)
            for (int j = 0; j < N0; j++) {
                double aa = 0;
                for (int k = 0; k < N0; k++) aa += A[i][k] * cov[k][j];
                assertEquals(i == j ? 1 : 0, aa, 1e-12, "A A⁻¹ at (" + i + "," + j + ")");
                assertEquals(cov[i][j], ula0[i][j], 1e-12);
            }
        for (int r = 0; r < M; r++)
            for (int i = 0; i < N0; i++) {
                double lhs = 0, rhs = 0;
                for (int j = 0; j < N0; j++) lhs += A[i][j] * post.mean()[r][j];
                for (int mu = 0; mu < P; mu++) rhs += beta * c * d.x()[mu * N0 + i] * d.y()[mu * M + r];
                assertEquals(rhs, lhs, 1e-12, "A μ at output " + r + ", input " + i);
                assertEquals(post.mean()[r][i], post.flatMean()[r * N0 + i], 0);
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
}
