package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntConsumer;

import org.junit.jupiter.api.Test;

/**
 * The float Box–Muller's parts against double-precision references, errors in float ulps of the
 * exact value (the ulp of the exact value rounded to float).
 *
 * <p>Error budget, a priori (ε = 2⁻²⁴, the unit roundoff): −ln u within 2 ulp — f − 1 is exact,
 * s = (f−1)/(f+1) carries 2ε, the correction s((f−1) − R) is at most a quarter of ln f, and the
 * two final additions ½ ulp each; r = √(2·(−ln u)) halves that and adds ½ ulp; sin α carries
 * the error of α = a·π/4 (½ ulp of the product plus 0.47 ε of π/4 as a float) plus ½ ulp,
 * within 3 ulp; cos α, with z = α² and the correction up to 0.42 of the result, within 4 ulp.
 * Measured over every input (all 83 886 080 values of the rounded w + 1, all 2²⁴ angles): at most
 * 0.95 ulp for −ln u, 1.03 ulp for r and 1.93 ulp for cos θ and sin θ. The assertions are the
 * measured maxima rounded up (1, 1.5 and 2 ulp): deterministic, so they fail only when the
 * transform changes.
 */
class BoxMullerTest {

    private static double ulps(float got, double exact) {
        return Math.abs(got - exact) / Math.ulp((float) Math.abs(exact));
    }

    /** Runs the radius stage on words w = m − 1 for the floats m that visit() hands out, 64 at a time. */
    private static final class Radii {
        final BoxMuller bm = new BoxMuller(BoxMuller.PAIRS);
        final float[] m = new float[BoxMuller.PAIRS];
        double worstLog, worstR;
        int count, filled;

        void add(float mv) {
            m[filled] = mv;
            bm.words[2 * filled] = (int) ((long) mv - 1);
            if (++filled == m.length) flush();
        }

        void flush() {
            bm.radii(filled);
            for (int p = 0; p < filled; p++) {
                double exact = -Math.log(m[p] * 0x1p-32);
                if (exact == 0) {
                    assertEquals(0f, bm.negLogU[p], "-ln 1");
                    assertEquals(0f, bm.r[p], "r at u = 1");
                    continue;
                }
                worstLog = Math.max(worstLog, ulps(bm.negLogU[p], exact));
                worstR = Math.max(worstR, ulps(bm.r[p], Math.sqrt(2 * exact)));
                count++;
            }
            filled = 0;
        }
    }

    /**
     * u = m·2⁻³², m = w + 1 rounded to float: every m up to 2²⁰ (u ≤ 2⁻¹², the far tail of the
     * normals), every 7th possible m from there to 2³², and the 2¹⁶ floats just below 2³² (u near 1,
     * where −ln u is tiny and only its relative error counts), 2³² itself (u = 1, r = 0) included.
     */
    @Test
    void minusLogUAndTheRadiusAreWithinAnUlpOfTheExactValues() {
        Radii r = new Radii();
        for (int m = 1; m <= 1 << 20; m++) r.add(m);
        for (int m = (1 << 20) + 7; m < 1 << 24; m += 7) r.add(m);            // below 2²⁴ every integer is a float
        int from = Float.floatToRawIntBits(0x1p24f), top = Float.floatToRawIntBits(0x1p32f);
        for (int b = from; b < top - (1 << 16); b += 7) r.add(Float.intBitsToFloat(b));   // above, every float is an integer
        for (int b = top - (1 << 16); b <= top; b++) r.add(Float.intBitsToFloat(b));
        r.flush();
        assertTrue(r.count > 5_000_000, "points " + r.count);
        assertTrue(r.worstLog <= 1.0, "-ln u off by " + r.worstLog + " ulp");
        assertTrue(r.worstR <= 1.5, "r off by " + r.worstR + " ulp");
    }

    /** The words that make u = 2⁻³² and u = 1 give the largest radius √(64 ln 2) correctly rounded, and 0. */
    @Test
    void theExtremeWordsGiveTheLargestRadiusAndZero() {
        BoxMuller bm = new BoxMuller(2);
        bm.words[0] = 0;
        bm.words[2] = -1;
        bm.radii(2);
        assertEquals((float) Math.sqrt(64 * Math.log(2)), bm.r[0]);
        assertEquals(0x40d5224d, Float.floatToRawIntBits(bm.r[0]));
        assertEquals(0, Float.floatToRawIntBits(bm.r[1]), "+0, not -0");
    }

    /**
     * Every one of the 2²⁴ angles θ = 2π v 2⁻²⁴: cos θ and sin θ within 2 ulp of Math.cos and
     * Math.sin; on the axes (v a multiple of 2²², where one of them is 0) the zero is exact and
     * the other is ±1 exactly.
     */
    @Test
    void cosineAndSineOfEveryAngleAreWithinTwoUlps() {
        BoxMuller bm = new BoxMuller(BoxMuller.PAIRS);
        float[] out = new float[2 * BoxMuller.PAIRS];
        double worstCos = 0, worstSin = 0;
        for (int v0 = 0; v0 < 1 << 24; v0 += BoxMuller.PAIRS) {
            for (int p = 0; p < BoxMuller.PAIRS; p++) bm.words[2 * p + 1] = (v0 + p) << 8;
            bm.angles(BoxMuller.PAIRS);
            java.util.Arrays.fill(bm.r, 1f);
            bm.combine(out, 0, BoxMuller.PAIRS);
            for (int p = 0; p < BoxMuller.PAIRS; p++) {
                int v = v0 + p;
                float c = out[2 * p], s = out[2 * p + 1];
                if ((v & 0x3FFFFF) == 0) {
                    int quarter = v >>> 22;
                    assertEquals(new float[]{1, 0, -1, 0}[quarter], c, 0f, "cos at quarter " + quarter);
                    assertEquals(new float[]{0, 1, 0, -1}[quarter], s, 0f, "sin at quarter " + quarter);
                    continue;
                }
                double th = 2 * Math.PI * v * 0x1p-24;
                worstCos = Math.max(worstCos, ulps(c, Math.cos(th)));
                worstSin = Math.max(worstSin, ulps(s, Math.sin(th)));
            }
        }
        assertTrue(worstCos <= 2.0, "cos off by " + worstCos + " ulp");
        assertTrue(worstSin <= 2.0, "sin off by " + worstSin + " ulp");
    }

    /** The golden pairs: extreme words, octant edges, the axes. */
    @Test
    void goldenPairs() {
        for (NoiseGolden.Pair g : NoiseGolden.PAIRS) {
            BoxMuller bm = new BoxMuller(1);
            bm.words[0] = g.a();
            bm.words[1] = g.b();
            bm.radii(1);
            bm.angles(1);
            float[] out = new float[2];
            bm.combine(out, 0, 1);
            assertEquals(Integer.toHexString(g.cosBits()), Integer.toHexString(Float.floatToRawIntBits(out[0])), g.why() + ": r cos");
            assertEquals(Integer.toHexString(g.sinBits()), Integer.toHexString(Float.floatToRawIntBits(out[1])), g.why() + ": r sin");
        }
    }

    /** A pass of any length gives each pair what a pass of one pair gives it (no state leaks between pairs). */
    @Test
    void eachPairDependsOnItsOwnWordsOnly() {
        BoxMuller all = new BoxMuller(BoxMuller.PAIRS), one = new BoxMuller(1);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < all.words.length; i++) all.words[i] = rnd.nextInt();
        float[] bulk = new float[2 * BoxMuller.PAIRS], single = new float[2];
        all.radii(BoxMuller.PAIRS);
        all.angles(BoxMuller.PAIRS);
        all.combine(bulk, 0, BoxMuller.PAIRS);
        IntConsumer check = p -> {
            one.words[0] = all.words[2 * p];
            one.words[1] = all.words[2 * p + 1];
            one.radii(1);
            one.angles(1);
            one.combine(single, 0, 1);
            assertEquals(Float.floatToRawIntBits(bulk[2 * p]), Float.floatToRawIntBits(single[0]), "pair " + p);
            assertEquals(Float.floatToRawIntBits(bulk[2 * p + 1]), Float.floatToRawIntBits(single[1]), "pair " + p);
        };
        for (int p = 0; p < BoxMuller.PAIRS; p++) check.accept(p);
    }
}
