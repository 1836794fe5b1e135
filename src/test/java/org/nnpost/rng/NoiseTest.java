package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The addressed normals: their distribution, the equality of the bulk and the by-address paths,
 * the independence of streams with different addresses and of the two members of a Box–Muller
 * pair, and golden values. Statistical checks use 4 standard errors (a false alarm about once in
 * 16000 per check), or the equivalent level of the Kolmogorov distribution; they run on
 * {@link #SAMPLE}, 4 194 304 normals from 1024 addresses.
 */
class NoiseTest {
    static final int SEED = 20240611;
    static final int N = 1 << 20;
    static final double Z = 4.0;
    /** 256 chains × 4 groups × 4096 normals, pairs at even indices. */
    static float[] SAMPLE;

    @BeforeAll
    static void drawTheSample() {
        int n = 4096;
        SAMPLE = new float[1024 * n];
        for (int c = 0; c < 256; c++)
            for (int g = 0; g < 4; g++) Noise.normals(SEED, c, 17, g, SAMPLE, (4 * c + g) * n, n);
    }

    private static float[] draw(int seed, int chain, long step, int group, int n) {
        float[] out = new float[n];
        Noise.normals(seed, chain, step, group, out, 0, n);
        return out;
    }

    /** P(|z| > t) = erfc(t/√2) for a standard normal z. */
    private static double twoSidedTail(double z) {
        return org.nnpost.model.SpecialFunctions.erfc(z / Math.sqrt(2));
    }

    @Test
    void momentsAreThoseOfAStandardNormal() {
        float[] x = SAMPLE;
        int n = x.length;
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        for (float v : x) {
            double d = v, d2 = d * d;
            s1 += d; s2 += d2; s3 += d2 * d; s4 += d2 * d2;
        }
        // raw moments about 0: E z = 0, E z² = 1, E z³ = 0, E z⁴ = 3; their variances
        // E z² − 0 = 1, E z⁴ − 1 = 2, E z⁶ = 15, E z⁸ − 9 = 96
        assertEquals(0.0, s1 / n, Z * Math.sqrt(1.0 / n), "mean");
        assertEquals(1.0, s2 / n, Z * Math.sqrt(2.0 / n), "second moment");
        assertEquals(0.0, s3 / n, Z * Math.sqrt(15.0 / n), "third moment (skewness)");
        assertEquals(3.0, s4 / n, Z * Math.sqrt(96.0 / n), "fourth moment (kurtosis)");
    }

    /**
     * Kolmogorov–Smirnov against Φ: √n·D exceeds λ with probability ≈ 2 exp(−2λ²) for large n;
     * λ = 2.275 makes that 6.4·10⁻⁵, the false-alarm rate of 4 standard errors.
     */
    @Test
    void kolmogorovSmirnovDistanceToTheNormalCdfIsSmall() {
        float[] x = SAMPLE.clone();
        Arrays.sort(x);
        int n = x.length;
        double d = 0;
        for (int i = 0; i < n; i++) {
            double f = phi(x[i]);
            d = Math.max(d, Math.max(f - (double) i / n, (double) (i + 1) / n - f));
        }
        assertTrue(Math.sqrt(n) * d < 2.275, "sqrt(n) D = " + Math.sqrt(n) * d);
    }

    /** P(|z| > t) for t = 1..4 within 4 binomial standard errors, and no normal beyond the largest radius. */
    @Test
    void tailsHaveNormalWeightAndEndAtTheLargestRadius() {
        float[] x = SAMPLE;
        int n = x.length;
        long[] beyond = new long[5];
        float largest = 0;
        for (float v : x) {
            float a = Math.abs(v);
            largest = Math.max(largest, a);
            for (int k = 1; k <= 4; k++) if (a > k) beyond[k]++;
        }
        for (int k = 1; k <= 4; k++) {
            double p = twoSidedTail(k), f = (double) beyond[k] / n;
            assertEquals(p, f, Z * Math.sqrt(p * (1 - p) / n), "P(|z| > " + k + ")");
        }
        // r ≤ √(−2 ln 2⁻³²) = √(64 ln 2), rounded: the radius of word 0 (BoxMullerTest)
        assertTrue(largest <= Float.intBitsToFloat(0x40d5224d), "largest |z| " + largest);
    }

    /**
     * The two members x, y of each pair: uncorrelated, and so are x² and y² (a radius that was not
     * Rayleigh would couple them); the angle atan2(y, x) fills 64 equal sectors and r² = x² + y²,
     * exponential with mean 2, fills 64 equal-probability bins (χ² with 63 degrees of freedom).
     */
    @Test
    void theTwoMembersOfAPairAreIndependentWithUniformAngleAndRayleighRadius() {
        float[] a = SAMPLE;
        int pairs = a.length / 2, bins = 64;
        float[] x = new float[pairs], y = new float[pairs], x2 = new float[pairs], y2 = new float[pairs];
        long[] sector = new long[bins], shell = new long[bins];
        for (int k = 0; k < pairs; k++) {
            x[k] = a[2 * k];
            y[k] = a[2 * k + 1];
            x2[k] = x[k] * x[k];
            y2[k] = y[k] * y[k];
            double th = Math.atan2(y[k], x[k]) / (2 * Math.PI) + 0.5;   // [0, 1]
            sector[Math.min(bins - 1, (int) (th * bins))]++;
            double r2 = (double) x[k] * x[k] + (double) y[k] * y[k];
            shell[Math.min(bins - 1, (int) (-Math.expm1(-r2 / 2) * bins))]++;
        }
        assertEquals(0.0, correlation(x, 0, y, 0, pairs), Z / Math.sqrt(pairs), "corr(x, y)");
        assertEquals(0.0, correlation(x2, 0, y2, 0, pairs), Z / Math.sqrt(pairs), "corr(x², y²)");
        int dof = bins - 1;
        assertEquals(dof, chiSquare(sector, pairs), Z * Math.sqrt(2.0 * dof), "angle: chi-square over " + bins + " sectors");
        assertEquals(dof, chiSquare(shell, pairs), Z * Math.sqrt(2.0 * dof), "r²: chi-square over " + bins + " bins");
    }

    /** Equal-probability bins of the normal: a χ² test over 64 bins (mean 63, sd √126). */
    @Test
    void normalsFillEqualProbabilityBinsEvenly() {
        float[] x = SAMPLE;
        int bins = 64;
        long[] count = new long[bins];
        for (float v : x) count[Math.min(bins - 1, (int) (phi(v) * bins))]++;
        int dof = bins - 1;
        assertEquals(dof, chiSquare(count, x.length), Z * Math.sqrt(2.0 * dof), "chi-square over " + bins + " bins");
    }

    @Test
    void goldenNormalsByAddress() {
        for (NoiseGolden.Normal g : NoiseGolden.NORMALS) {
            String at = "normal " + g.i() + " of (" + g.seed() + ", " + g.chain() + ", " + g.step() + ", " + g.group() + ")";
            assertEquals(Integer.toHexString(g.bits()),
                    Integer.toHexString(Float.floatToRawIntBits(Noise.normal(g.seed(), g.chain(), g.step(), g.group(), g.i()))), at);
            float[] bulk = new float[g.i() + 1];
            Noise.normals(g.seed(), g.chain(), g.step(), g.group(), bulk, 0, bulk.length);
            assertEquals(Integer.toHexString(g.bits()), Integer.toHexString(Float.floatToRawIntBits(bulk[g.i()])), at + " (bulk)");
        }
    }

    /**
     * Lengths that end mid-block check the tail path, lengths around BoxMuller's pass of 1024
     * normals its seams, and passes of 31 and 32 blocks (124 and 128 normals, alone or after a
     * whole pass) the change from the scalar Philox block to the lane-wise one; the index is also
     * the one normal() uses.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 5, 7, 64, 123, 124, 127, 128, 129, 130, 1001, 1023, 1024, 1025, 1147, 1148, 1151, 1152, 2053})
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

    @Test
    void bulkUniformsAreAddressedWordsUniformOnTheOpenIntervalAndUncorrelated() {
        int n = 1 << 18;
        double[] u = new double[n + 1];
        Noise.uniforms(SEED, 3, Noise.INIT_STEP, Noise.EXTRA_GROUP + 1, u, 1, n);
        // by address: uniform i is the 53 bits of words (w0, w1) or (w2, w3) of block i / 2
        int[] w = new int[4];
        for (int i : new int[]{0, 1, 2, 77, n - 1}) {
            long step = Noise.INIT_STEP;
            Philox4x32.block(i / 2, Noise.EXTRA_GROUP + 1, (int) step, (int) (step >>> 32), SEED, 3, w, 0);
            int hi = w[2 * (i & 1)], lo = w[2 * (i & 1) + 1];
            long bits = ((hi & 0xFFFFFFFFL) << 21) | ((lo & 0xFFFFFFFFL) >>> 11);
            assertEquals((bits + 0.5) / 9007199254740992.0, u[1 + i], 0.0, "uniform " + i);
        }
        // a shorter call gives the same first numbers
        double[] head = new double[5];
        Noise.uniforms(SEED, 3, Noise.INIT_STEP, Noise.EXTRA_GROUP + 1, head, 0, 5);
        for (int i = 0; i < 5; i++) assertEquals(u[1 + i], head[i], 0.0);
        double s = 0, s2 = 0, lag = 0;
        long[] bins = new long[64];
        for (int i = 1; i <= n; i++) {
            assertTrue(u[i] > 0 && u[i] < 1, "u = " + u[i]);
            s += u[i]; s2 += u[i] * u[i];
            if (i > 1) lag += (u[i] - 0.5) * (u[i - 1] - 0.5);
            bins[(int) (u[i] * 64)]++;
        }
        assertEquals(0.5, s / n, Z * Math.sqrt(1.0 / 12 / n), "mean");
        assertEquals(1.0 / 3, s2 / n, Z * Math.sqrt((1.0 / 5 - 1.0 / 9) / n), "second moment");
        assertEquals(0.0, lag / (n - 1), Z * (1.0 / 12) / Math.sqrt(n - 1), "neighbours (the two of a block among them) are uncorrelated");
        // chi-square with 63 degrees of freedom: mean 63, sd √126; 4 sd above the mean
        assertTrue(chiSquare(bins, n) < 63 + Z * Math.sqrt(126), "histogram: chi2 = " + chiSquare(bins, n));
    }

    private static double phi(double v) {
        return 0.5 * (1 + org.nnpost.model.SpecialFunctions.erf(v / Math.sqrt(2)));
    }

    private static double chiSquare(long[] count, long n) {
        double expected = (double) n / count.length, chi2 = 0;
        for (long c : count) chi2 += (c - expected) * (c - expected) / expected;
        return chi2;
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
