package org.nnpost.theory;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nnpost.model.Phi;

/** The theory's numbers against closed forms, limits and independent quadrature. */
class TheoryTest {

    @Test
    void gaussHermiteReproducesTheArcsineKernelOfErf() {
        // the 48-point rule is exact to 1e-12 at moderate correlation; at ρ = 0.95 and variance 2
        // its error is 8e-9 (a 96-point rule agrees with the closed form to 1e-15 there)
        double[][] cases = {{1, 0.3, 2, 1e-11}, {0.5, -0.4, 0.7, 1e-11}, {2, 1.9, 2, 2e-8}};
        for (double[] k : cases) {
            double exact = Nngp.expectation(Phi.ERF, k[0], k[1], k[2]);
            double quad = GaussHermite.expectation2(z -> Phi.ERF.value(z), k[0], k[1], k[2]);
            assertEquals(exact, quad, k[3], "erf kernel vs 48-point quadrature");
            assertEquals(k[1], GaussHermite.expectation2(z -> z, k[0], k[1], k[2]), 1e-12, "linear: E[uv] = kuv");
        }
    }

    @Test
    void reluArcCosineKernelHasItsKnownSpecialValues() {
        // ρ = 1: E[relu(u)²] = k/2; ρ = 0: (E relu)² = k/(2π); ρ = −1: 0
        assertEquals(1.5 / 2, Nngp.expectation(Phi.RELU, 1.5, 1.5, 1.5), 1e-14);
        assertEquals(Math.sqrt(2 * 3) / (2 * Math.PI), Nngp.expectation(Phi.RELU, 2, 0, 3), 1e-14);
        assertEquals(0, Nngp.expectation(Phi.RELU, 2, -2, 2), 1e-14);
    }

    @Test
    void tanhKernelMatchesMonteCarloWithinFourStandardErrors() {
        double kuu = 1.2, kuv = 0.5, kvv = 0.8;
        double exact = Nngp.expectation(Phi.TANH, kuu, kuv, kvv);
        SplittableRandom rng = new SplittableRandom(5);
        int n = 400_000;
        double s = 0, s2 = 0, rho = kuv / Math.sqrt(kuu * kvv);
        for (int i = 0; i < n; i++) {
            double g1 = gauss(rng), g2 = gauss(rng);
            double u = Math.sqrt(kuu) * g1, v = Math.sqrt(kvv) * (rho * g1 + Math.sqrt(1 - rho * rho) * g2);
            double p = Math.tanh(u) * Math.tanh(v);
            s += p; s2 += p * p;
        }
        double mean = s / n, se = Math.sqrt((s2 / n - mean * mean) / n);
        assertEquals(exact, mean, 4 * se);
    }

    @Test
    void meanFieldSolutionSatisfiesItsSelfConsistency() {
        int P = 12, m = 3;
        double[] k0 = randomSpd(P, 1), y = targets(P, m);
        double beta0 = 5, sa2 = 0.7;
        LinearMeanField th = LinearMeanField.solve(k0, P, y, m, beta0, sa2);
        // t = β₀ (Y − K₀ t U)
        double[] ktu = Linalg.mul(Linalg.mul(k0, th.t(), P, P, m), th.u(), P, m, m);
        for (int i = 0; i < P * m; i++) assertEquals(beta0 * (y[i] - ktu[i]), th.t()[i], 1e-9 * beta0);
        // U⁻¹ = σ_a⁻² I − tᵀ K₀ t
        double[] tkt = Linalg.mul(Linalg.transpose(th.t(), P, m), Linalg.mul(k0, th.t(), P, P, m), m, P, m);
        double[] uinv = Linalg.solveSpd(th.u(), m, Linalg.identity(m), m);
        for (int r = 0; r < m; r++)
            for (int q = 0; q < m; q++)
                assertEquals((r == q ? 1 / sa2 : 0) - tkt[r * m + q], uinv[r * m + q], 1e-9);
    }

    @Test
    void meanFieldTheoryTendsToItsZeroTemperatureClosedForm() {
        int P = 10, m = 2;
        double[] k0 = randomSpd(P, 2), y = targets(P, m);
        LinearMeanField inf = LinearMeanField.zeroTemperature(k0, P, y, m, 1.0);
        double prev = Double.POSITIVE_INFINITY;
        for (double beta0 : new double[]{1e2, 1e3, 1e4}) {
            LinearMeanField th = LinearMeanField.solve(k0, P, y, m, beta0, 1.0);
            double d = 0;
            for (int i = 0; i < m * m; i++) d = Math.max(d, Math.abs(th.u()[i] - inf.u()[i]));
            assertTrue(d < prev / 5, "U approaches the β₀ → ∞ form like 1/β₀: " + d + " after " + prev);
            prev = d;
        }
        assertTrue(prev < 1e-2 * Linalg.maxAbs(inf.u()));
        // K₀ t U = Y at β₀ = ∞
        double[] f = Linalg.mul(Linalg.mul(k0, inf.t(), P, P, m), inf.u(), P, m, m);
        for (int i = 0; i < P * m; i++) assertEquals(y[i], f[i], 1e-9);
    }

    @Test
    void zeroTemperatureMeanFieldPredictorIsTheLazyGpPredictor() {
        // the paper's headline for linear networks: k*ᵀ t U = k*ᵀ K₀⁻¹ Y, the T → 0 GP predictor
        int P = 8, Pt = 4, m = 2, n = P + Pt;
        double[] joint = randomSpd(n, 3), k0 = new double[P * P], kst = new double[P * Pt];
        for (int a = 0; a < P; a++) {
            for (int b = 0; b < P; b++) k0[a * P + b] = joint[a * n + b];
            for (int c = 0; c < Pt; c++) kst[a * Pt + c] = joint[a * n + P + c];
        }
        double[] y = targets(P, m);
        double[] mf = LinearMeanField.zeroTemperature(k0, P, y, m, 2.0).predict(kst, Pt);
        double[] gp = GpPredictor.of(joint, P, Pt, y, m, 1e-12).meanTest();
        for (int i = 0; i < Pt * m; i++) assertEquals(gp[i], mf[i], 1e-7);
    }

    @Test
    void gpPredictorInterpolatesAtZeroTemperatureAndHasNonNegativeVariance() {
        int P = 6, Pt = 3, m = 2, n = P + Pt;
        double[] k = randomSpd(n, 4), y = targets(P, m);
        GpPredictor gp = GpPredictor.of(k, P, Pt, y, m, 1e-10);
        for (int i = 0; i < P * m; i++) assertEquals(y[i], gp.meanTrain()[i], 1e-6);
        for (double v : gp.varTest()) assertTrue(v > -1e-9);
    }

    static double[] randomSpd(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[n * n];
        for (int i = 0; i < n * n; i++) a[i] = gauss(r);
        double[] k = Linalg.mul(a, Linalg.transpose(a, n, n), n, n, n);
        for (int i = 0; i < n * n; i++) k[i] /= n;
        for (int i = 0; i < n; i++) k[i * n + i] += 0.5;
        return k;
    }

    static double[] targets(int P, int m) {
        double[] y = new double[P * m];
        for (int a = 0; a < P; a++) for (int r = 0; r < m; r++) y[a * m + r] = a % m == r ? 1 : -1;
        return y;
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }
}
