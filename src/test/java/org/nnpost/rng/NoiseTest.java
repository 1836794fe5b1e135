package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The addressed normals: their distribution, the equality of the bulk and the by-address paths,
 * and the independence of streams with different addresses. Statistical checks use 4 standard
 * errors (a false alarm about once in 16000 per check).
 */
class NoiseTest {
    static final int SEED = 20240611;
    static final int N = 1 << 20;
    static final double Z = 4.0;

    private static float[] draw(int seed, int chain, long step, int group, int n) {
        float[] out = new float[n];
        Noise.normals(seed, chain, step, group, out, 0, n);
        return out;
    }

    /** P(|z| > t) = 1 − erf(t/√2) for a standard normal z. */
    private static double twoSidedTail(double z) {
        return 1.0 - org.nnpost.model.SpecialFunctions.erf(z / Math.sqrt(2));
    }

    @Test
    void normalsHaveMeanZeroVarianceOneAndNormalTails() {
        float[] x = draw(SEED, 3, 17, 1, N);
        double s1 = 0, s2 = 0, s4 = 0;
        long beyond1 = 0, beyond2 = 0, beyond3 = 0;
        for (float v : x) {
            double d = v, d2 = d * d;
            s1 += d; s2 += d2; s4 += d2 * d2;
            double a = Math.abs(d);
            if (a > 1) beyond1++;
            if (a > 2) beyond2++;
            if (a > 3) beyond3++;
        }
        double mean = s1 / N, var = s2 / N - mean * mean, m4 = s4 / N;
        // Var z = 1, Var z² = 2, Var z⁴ = E z⁸ − (E z⁴)² = 105 − 9 = 96
        assertEquals(0.0, mean, Z * Math.sqrt(1.0 / N), "mean");
        assertEquals(1.0, var, Z * Math.sqrt(2.0 / N), "variance");
        assertEquals(3.0, m4, Z * Math.sqrt(96.0 / N), "fourth moment");
        long[] counts = {beyond1, beyond2, beyond3};
        for (int k = 1; k <= 3; k++) {
            double p = twoSidedTail(k), f = (double) counts[k - 1] / N;
            assertEquals(p, f, Z * Math.sqrt(p * (1 - p) / N), "P(|z| > " + k + ")");
        }
    }

    /** Equal-probability bins of the normal: a χ² test over 64 bins (mean 63, sd √126). */
    @Test
    void normalsFillEqualProbabilityBinsEvenly() {
        float[] x = draw(SEED, 0, 0, 0, N);
        int bins = 64;
        long[] count = new long[bins];
        for (float v : x) {
            // Φ(v) via erf, then the bin of that uniform
            double u = 0.5 * (1 + org.nnpost.model.SpecialFunctions.erf(v / Math.sqrt(2)));
            count[Math.min(bins - 1, (int) (u * bins))]++;
        }
        double expected = (double) N / bins, chi2 = 0;
        for (long c : count) chi2 += (c - expected) * (c - expected) / expected;
        int dof = bins - 1;
        assertEquals(dof, chi2, Z * Math.sqrt(2.0 * dof), "chi-square over " + bins + " bins");
    }

    /** Lengths that end mid-block check the tail path; the index is also the one normal() uses. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 64, 1001})
    void normalByAddressEqualsBulkNormals(int n) {
        float[] bulk = draw(SEED, 5, 123456789012L, 2, n);
        for (int i = 0; i < n; i++)
            assertEquals(Float.floatToIntBits(bulk[i]), Float.floatToIntBits(Noise.normal(SEED, 5, 123456789012L, 2, i)),
                    "index " + i);
        // an offset write leaves the rest of the buffer alone and writes the same numbers
        float[] shifted = new float[n + 3];
        Noise.normals(SEED, 5, 123456789012L, 2, shifted, 2, n);
        assertEquals(0f, shifted[0]);
        assertEquals(0f, shifted[1]);
        assertEquals(0f, shifted[n + 2]);
        for (int i = 0; i < n; i++) assertEquals(bulk[i], shifted[2 + i]);
    }

    /** Streams that differ in one address component: correlation 0 within 4/√n. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"chain", "step", "group", "seed", "stepHighWord", "initStep"})
    void streamsWithDifferentAddressesAreUncorrelated(String which) {
        int n = 1 << 18;
        float[] a = draw(SEED, 4, 10, 1, n);
        float[] b = switch (which) {
            case "chain" -> draw(SEED, 5, 10, 1, n);
            case "step" -> draw(SEED, 4, 11, 1, n);
            case "group" -> draw(SEED, 4, 10, 2, n);
            case "seed" -> draw(SEED + 1, 4, 10, 1, n);
            case "stepHighWord" -> draw(SEED, 4, 10 + (1L << 32), 1, n);
            case "initStep" -> draw(SEED, 4, Noise.INIT_STEP, 1, n);
            default -> throw new IllegalArgumentException(which);
        };
        assertEquals(0.0, correlation(a, 0, b, 0, n), Z / Math.sqrt(n), which);
    }

    /** Within a stream: neighbours, the two members of a Box–Muller pair, and the two pairs of a block. */
    @ParameterizedTest(name = "lag {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void neighboursWithinAStreamAreUncorrelated(int lag) {
        float[] a = draw(SEED, 1, 1, 0, N);
        int n = N - lag;
        assertEquals(0.0, correlation(a, 0, a, lag, n), Z / Math.sqrt(n), "lag " + lag);
    }

    @Test
    void uniformsLieInTheUnitIntervalWithMeanOneHalf() {
        int n = 1 << 16;
        double s = 0, s2 = 0;
        for (int c = 0; c < n; c++) {
            double u = Noise.uniform(SEED, c, 7, Noise.EXTRA_GROUP);
            assertTrue(u > 0 && u <= 1, "u = " + u);
            s += u; s2 += u * u;
        }
        assertEquals(0.5, s / n, Z * Math.sqrt(1.0 / 12 / n), "mean");
        assertEquals(1.0 / 3, s2 / n, Z * Math.sqrt((1.0 / 5 - 1.0 / 9) / n), "second moment");
    }

    private static double correlation(float[] a, int aOff, float[] b, int bOff, int n) {
        double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[aOff + i], y = b[bOff + i];
            sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
        }
        double cov = sab / n - (sa / n) * (sb / n);
        return cov / Math.sqrt((saa / n - sa * sa / n / n) * (sbb / n - sb * sb / n / n));
    }
}
