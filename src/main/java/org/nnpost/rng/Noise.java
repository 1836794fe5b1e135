package org.nnpost.rng;

/**
 * The standard normal numbers of the samplers (SPEC §4), addressed rather than drawn.
 *
 * <p>Element i of parameter group g of chain c at step t is normal number (i mod 4) of the
 * Philox block with key (seed, c) and counter (i / 4, g, t low word, t high word), turned into
 * normals by Box–Muller: words (w0, w1) give r·cos θ, r·sin θ and (w2, w3) the next pair, with
 * u = (w + 1)·2⁻³² ∈ (0, 1] (w unsigned) for the radius r = √(−2 ln u) and v = w·2⁻³² for the
 * angle θ = 2π v. The arithmetic is done in double and rounded once to float, the same on the
 * GPU, so both backends draw the same noise up to rare one-ulp differences.
 *
 * <p>Initial parameters use step {@link #INIT_STEP}; a sampler's algorithm-specific draws
 * (a MALA accept uniform, a momentum refresh) use group numbers from {@link #EXTRA_GROUP} up.
 */
public final class Noise {
    private Noise() {}

    /** The counter's step for initial draws from the prior: never reached by a run. */
    public static final long INIT_STEP = -1L;
    /** First group number free for draws that are not per-parameter Langevin noise. */
    public static final int EXTRA_GROUP = 1 << 16;

    private static final double TWO_PI = 2.0 * Math.PI;
    private static final double INV_2_32 = 1.0 / 4294967296.0;

    /** Fills out[off .. off+n−1] with normals 0..n−1 of (seed, chain, step, group). */
    public static void normals(int seed, int chain, long step, int group, float[] out, int off, int n) {
        int[] w = new int[4];
        int stepLo = (int) step, stepHi = (int) (step >>> 32);
        int full = n & ~3;
        for (int i = 0; i < full; i += 4) {
            Philox4x32.block(i >>> 2, group, stepLo, stepHi, seed, chain, w, 0);
            pair(w[0], w[1], out, off + i);
            pair(w[2], w[3], out, off + i + 2);
        }
        if (full < n) {
            float[] tail = new float[4];
            Philox4x32.block(full >>> 2, group, stepLo, stepHi, seed, chain, w, 0);
            pair(w[0], w[1], tail, 0);
            pair(w[2], w[3], tail, 2);
            System.arraycopy(tail, 0, out, off + full, n - full);
        }
    }

    /** One normal, by address: the same number {@link #normals} puts at index i. */
    public static float normal(int seed, int chain, long step, int group, int i) {
        float[] out = new float[4];
        int[] w = new int[4];
        Philox4x32.block(i >>> 2, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
        pair(w[0], w[1], out, 0);
        pair(w[2], w[3], out, 2);
        return out[i & 3];
    }

    /** A uniform in (0, 1] by address, for accept/reject decisions. */
    public static double uniform(int seed, int chain, long step, int group) {
        int[] w = new int[4];
        Philox4x32.block(0, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
        return ((w[0] & 0xFFFFFFFFL) + 1) * INV_2_32;
    }

    private static void pair(int a, int b, float[] out, int at) {
        double u = ((a & 0xFFFFFFFFL) + 1) * INV_2_32;
        double v = (b & 0xFFFFFFFFL) * INV_2_32;
        double r = Math.sqrt(-2.0 * Math.log(u));
        double th = TWO_PI * v;
        out[at] = (float) (r * Math.cos(th));
        out[at + 1] = (float) (r * Math.sin(th));
    }
}
