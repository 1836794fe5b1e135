package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.nnpost.io.Npy;

class ConvergenceTest {

    static double[][] ar1(int chains, int n, double rho, double shift, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[chains][n];
        double innov = Math.sqrt(1 - rho * rho);
        for (int c = 0; c < chains; c++) {
            double v = rng.nextGaussian();   // start in the stationary law N(0, 1)
            for (int i = 0; i < n; i++) {
                if (i > 0) v = rho * v + innov * rng.nextGaussian();
                x[c][i] = v + (c == 0 ? shift : 0);
            }
        }
        return x;
    }

    @Test
    void autocovarianceByFftEqualsTheDirectSum() {
        Random rng = new Random(3);
        for (int n : new int[]{1, 2, 3, 17, 100, 1000}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) x[i] = rng.nextGaussian() + 5;
            double[] fft = Autocovariance.of(x), direct = Autocovariance.direct(x);
            for (int t = 0; t < n; t++) assertEquals(direct[t], fft[t], 1e-12 * Math.max(direct[0], 1e-300), "n=" + n + " t=" + t);
        }
    }

    @Test
    void splitRhatOfAHandWorkedExample() {
        // halves {1,2} {3,4} {3,4} {5,6}: W = ½, var of means (1.5, 3.5, 3.5, 5.5) = 8/3, n = 2
        double expected = Math.sqrt((0.5 * 0.5 + 8.0 / 3) / 0.5);
        double[][] split = Convergence.split(new double[][]{{1, 2, 3, 4}, {3, 4, 5, 6}});
        assertEquals(expected, Convergence.splitRhat(split), 1e-15);
        // an odd chain drops its middle draw
        double[][] odd = Convergence.split(new double[][]{{1, 2, 99, 3, 4}});
        assertEquals(2, odd[0].length);
        assertEquals(3.0, odd[1][0]);
    }

    @Test
    void rankNormalisationUsesBlomScoresAndAverageTies() {
        double[][] z = Convergence.rankNormalize(new double[][]{{10, 30}, {20, 20}});
        // S = 4; ranks 1, 4, and the tie at 2.5 for both 20s
        assertEquals(Normal.quantile((1 - 0.375) / 4.25), z[0][0], 0);
        assertEquals(Normal.quantile((4 - 0.375) / 4.25), z[0][1], 0);
        assertEquals(Normal.quantile((2.5 - 0.375) / 4.25), z[1][0], 0);
        assertEquals(z[1][0], z[1][1], 0);
        assertEquals(0.0, z[0][0] + z[0][1], 1e-15, "Blom scores are symmetric");
    }

    /**
     * iid chains: with M' = 8 split chains of n' = 2500, n'·var(means)/W is about χ²₇/7, which
     * exceeds 4 with probability 2e-4, so R̂² − 1 ≈ (F − 1)/n' stays below 3/n' and R̂ below
     * 1 + 1.5/n' = 1.0006 (the folded version obeys the same bound).
     */
    @Test
    void rhatOfIidNormalChainsIsOneWithinItsSamplingBound() {
        double[][] x = ar1(4, 5000, 0.0, 0.0, 11);
        double rhat = Convergence.rhat(x);
        assertTrue(rhat < 1 + 1.5 / 2500, "rhat " + rhat);
        assertTrue(rhat > 0.999, "rhat " + rhat);
    }

    /**
     * iid: τ̂ = 1 + 2 Σ_{t≤T} ρ̂_t with each ρ̂_t ~ N(0, 1/S); the initial positive sequence stops
     * within T ≤ 20 lags except with probability ~2⁻¹⁰, so sd(τ̂) ≤ 2√(T/S) and ESS/S is 1 within
     * 4 sd = 8√(20/S) = 0.126 for S = 80 000. The tail indicators are iid too.
     */
    @Test
    void essOfIidNormalChainsIsTheNumberOfDraws() {
        int S = 8 * 10000;
        double[][] x = ar1(8, 10000, 0.0, 0.0, 12);
        double tol = 8 * Math.sqrt(20.0 / S);
        assertEquals(1.0, Convergence.essBulk(x) / S, tol);
        assertEquals(1.0, Convergence.essTail(x) / S, tol);
    }

    /**
     * AR(1) with coefficient ρ: τ = (1 + ρ)/(1 − ρ), ESS = S/τ. Sokal's variance of a windowed τ̂,
     * var(τ̂)/τ² ≈ 2(2M + 1)/S, with the window M ≤ 6τ (Geyer's cut comes where ρ^t falls to
     * the noise 1/√S, about 25 lags at ρ = 0.8, below 6τ = 54), gives 4 sd = 4√(2(12τ + 1)/S).
     */
    @Test
    void essOfAnAr1ProcessMatchesItsIntegratedAutocorrelationTime() {
        int chains = 8, n = 10000, S = chains * n;
        for (double rho : new double[]{0.5, 0.8}) {
            double tau = (1 + rho) / (1 - rho);
            double expected = S / tau;
            double tol = 4 * Math.sqrt(2 * (12 * tau + 1) / S);
            double[][] x = ar1(chains, n, rho, 0.0, 13 + (long) (rho * 10));
            double bulk = Convergence.essBulk(x);
            assertEquals(1.0, bulk / expected, tol, "rho " + rho + ": bulk ESS " + bulk + " vs " + expected);
            assertTrue(Convergence.rhat(x) < 1.01, "well-mixed AR(1) chains agree");
        }
    }

    /**
     * One of four chains shifted by 2 sd: the split chains' means are (2, 2, 0 × 6), var of means
     * 4·(8·¼·¾)/7 = 0.86 against W ≈ 1, so R̂ ≈ √1.86 = 1.36 before rank normalisation.
     */
    @Test
    void rhatFlagsChainsWithShiftedMeans() {
        double[][] x = ar1(4, 1000, 0.0, 2.0, 14);
        double rhat = Convergence.rhat(x);
        assertTrue(rhat > 1.2, "rhat " + rhat);
    }

    /** Equal means, different scales: only the folded R̂ sees it, and the maximum reports it. */
    @Test
    void foldedRhatFlagsChainsWithDifferentScales() {
        double[][] x = ar1(4, 2000, 0.0, 0.0, 15);
        for (int i = 0; i < x[0].length; i++) { x[0][i] *= 3; x[1][i] *= 3; }
        double[][] split = Convergence.split(x);
        double bulk = Convergence.splitRhat(Convergence.rankNormalize(split));
        assertTrue(bulk < 1.01, "bulk " + bulk);
        assertTrue(Convergence.rhat(x) > 1.1, "rhat " + Convergence.rhat(x));
    }

    /**
     * (data set, R̂, bulk-ESS, tail-ESS) as ArviZ 0.23.4's az.summary reports them for small sets
     * saved next to this class: iid, AR(1) ρ = 0.8 with an odd length, one chain shifted, two
     * chains scaled ×3, rounded values (ties), ρ = 0.99, and a run's loss trace of odd length (2 ×
     * 75) whose R̂ is the folded one: az.summary folds about the median of all draws before
     * splitting, as Stan's posterior does (az.rhat folds the split halves and says 1.01291 there).
     */
    static final Object[][] ARVIZ = {
            {"iid", 0.9986057463983323, 333.19518452320335, 323.4781884666356},
            {"ar8", 1.025838308565944, 154.66457663814722, 351.2691518696113},
            {"shift", 1.0914060184806136, 38.09098131503652, 281.225480529003},
            {"scale", 1.2458097842585834, 312.3860999794029, 197.93642006572233},
            {"ties", 1.0140128303121867, 187.51658942766977, 157.76493092454842},
            {"slow", 1.6003205397125513, 7.125422576681448, 15.43613062191081},
            {"odd", 1.01302006811269, 99.059702092659, 119.9585474506855}};

    /**
     * The same formulas in double: R̂ differs only by summation order (~n·ε ≈ 1e-13); ESS also by
     * FFT rounding in the autocovariances (~ε·log n relative to γ₀), amplified by at most the
     * number of lags summed, so 1e-9 relative bounds both with room.
     */
    @Test
    void agreesWithArviZOnReferenceSets() throws Exception {
        for (Object[] ref : ARVIZ) {
            Npy.Array a = Npy.read(Path.of(getClass().getResource("arviz_" + ref[0] + ".npy").toURI()));
            int c = (int) a.shape()[0], n = (int) a.shape()[1];
            double[] flat = a.doubles();
            double[][] x = new double[c][n];
            for (int i = 0; i < c; i++) System.arraycopy(flat, i * n, x[i], 0, n);
            Convergence.Diagnostics d = Convergence.of(x);
            assertEquals((double) ref[1], d.rhat(), 1e-12, ref[0] + " rhat");
            assertEquals((double) ref[2], d.essBulk(), 1e-9 * (double) ref[2], ref[0] + " bulk");
            assertEquals((double) ref[3], d.essTail(), 1e-9 * (double) ref[3], ref[0] + " tail");
        }
    }

    @Test
    void undefinedCasesGiveNaN() {
        assertTrue(Double.isNaN(Convergence.rhat(new double[][]{{1, 1, 1, 1}, {1, 1, 1, 1}})));
        assertTrue(Double.isNaN(Convergence.essBulk(new double[][]{{1, 2, 3}})));
        assertTrue(Double.isNaN(Convergence.rhat(new double[][]{{1, 2, Double.NaN, 4}})));
    }
}
