package org.nnpost.rng;

/**
 * The standard normal numbers of the samplers (SPEC §4), addressed rather than drawn.
 *
 * <p>Element i of parameter group g of chain c at step t is normal number (i mod 4) of the
 * Philox block with key (seed, c) and counter (i / 4, g, t low word, t high word), turned into
 * normals by Box–Muller: words (w0, w1) give r·cos θ, r·sin θ and (w2, w3) the next pair.
 *
 * <p>The transform is float32 arithmetic made only of operations that IEEE 754 rounds correctly
 * (+, −, ×, ÷, √), in a fixed order, with no library transcendental function, no double and no
 * fused multiply-add. Java's float arithmetic is exactly that, and {@code src/main/cuda/philox.cuh}
 * performs the same rounded operations in the same order with nvcc's round-to-nearest
 * intrinsics, so the CPU and GPU backends draw the same normals bit for bit ({@link BoxMuller}
 * holds the arithmetic; NoiseGolden in the tests pins some of its numbers).
 * <ul>
 * <li>Radius: u = m·2⁻³² with m = w0 + 1 (unsigned) rounded once to float (to nearest, ties to
 *     even: the sum of its exact high and low 16-bit halves), so u ∈ (0, 1]; r = √(−2 ln u).
 *     −ln u = j·ln 2 − ln f with m·2⁻³² = 2⁻ʲ f, f ∈ [√½, √2) taken from the float's bits; ln 2
 *     in two parts, the first with 17 significant bits so that j·ln2_hi is exact;
 *     ln f = (f−1) − s((f−1) − R) with s = (f−1)/(f+1) and R = 2s²/3 + 2s⁴/5 + 2s⁶/7 + 2s⁸/9,
 *     whose remainder (|s| ≤ 0.1716) is 2·10⁻⁹ of ln f. r ∈ [0, √(64 ln 2)] = [0, 6.6604].</li>
 * <li>Angle: θ = 2π v with v the top 24 bits of w1 over 2²⁴. Its top 3 bits are the octant k,
 *     its low 21 bits times 2⁻²¹ are t ∈ [0, 1) (exact); α = t·π/4 for even k, (1−t)·π/4 for odd
 *     k, so that θ = kπ/4 ± α with α ∈ [0, π/4]; sin α and cos α are their Taylor polynomials
 *     of degree 9 and 10 (remainders below 3·10⁻⁹ relative), and the octant decides which of
 *     them is cos θ and which sin θ, and their signs.</li>
 * </ul>
 * Accuracy, checked over every input (BoxMullerTest): −ln u within 0.96 float ulp of its exact
 * value for the rounded m, r within 1.03 ulp, cos θ and sin θ within 1.93 ulp. On one core of
 * the reference machine this costs about 7 ns per normal, Philox included (2 ns of it: the words
 * of a call's blocks come from {@link PhiloxLanes}, the scalar block took 5), against 26 ns for
 * Box–Muller in double with Math.log, Math.cos and Math.sin.
 *
 * <p>Initial parameters use step {@link #INIT_STEP}; underdamped Langevin's momentum noise of
 * group g uses group {@link #MOMENTUM_GROUP} + g (initial momenta at {@link #INIT_STEP}, the
 * Ornstein–Uhlenbeck refresh at each step); other algorithm-specific draws (a MALA accept
 * uniform) use group numbers from {@link #EXTRA_GROUP} up.
 */
public final class Noise {
    private Noise() {}

    /** The counter's step for initial draws from the prior: never reached by a run. */
    public static final long INIT_STEP = -1L;
    /** First group number free for draws that are not per-parameter Langevin noise. */
    public static final int EXTRA_GROUP = 1 << 16;
    /** Momentum noise of parameter group g is group MOMENTUM_GROUP + g (apart from the position noise of groups 0..L). */
    public static final int MOMENTUM_GROUP = 1 << 15;
    /**
     * The theory's equilibrium start (--init theory): the readouts of chain c are uniforms of
     * (seed, c, {@link #INIT_STEP}, THEORY_START_GROUP), the preactivations of its neuron i
     * uniforms of (seed, c, INIT_STEP − 1 − i, THEORY_START_GROUP + 1): steps no run reaches (SPEC §4).
     */
    public static final int THEORY_START_GROUP = EXTRA_GROUP + 1;

    private static final double INV_2_32 = 1.0 / 4294967296.0;

    /** Fills out[off .. off+n−1] with normals 0..n−1 of (seed, chain, step, group). */
    public static void normals(int seed, int chain, long step, int group, float[] out, int off, int n) {
        if (n <= 0) return;
        int pairs = Math.min(BoxMuller.PAIRS, ((n + 3) >>> 2) << 1);
        new BoxMuller(pairs).fill(seed, chain, step, group, 0, out, off, n);
    }

    /** One normal, by address: the same number {@link #normals} puts at index i. */
    public static float normal(int seed, int chain, long step, int group, int i) {
        float[] out = new float[4];
        new BoxMuller(2).fill(seed, chain, step, group, i >>> 2, out, 0, 4);
        return out[i & 3];
    }

    /**
     * Uniforms in (0, 1) by address, many per address, for draws that need them in bulk (the
     * theory's equilibrium start): uniform i of (seed, chain, step, group) comes from the Philox
     * block with key (seed, chain) and counter (i / 2, group, t low word, t high word), words
     * (w0, w1) for even i and (w2, w3) for odd i, as the 53 bits (w_a · 2²¹ + ⌊w_b / 2¹¹⌋) + ½
     * times 2⁻⁵³ (w_a the first word of the pair). A separate function of the address from
     * {@link #normals} and {@link #uniform}: callers give it groups of their own.
     */
    public static void uniforms(int seed, int chain, long step, int group, double[] out, int off, int n) {
        uniforms(seed, chain, step, group, 0, out, off, n);
    }

    /**
     * Uniforms first .. first+n−1 of (seed, chain, step, group), as {@link #uniforms(int, int, long, int, double[], int, int)}
     * numbers them (first below 2³³): a caller that needs an unknown number of them (a rejection
     * sampler) reads its stream in pieces.
     */
    public static void uniforms(int seed, int chain, long step, int group, long first, double[] out, int off, int n) {
        if (first < 0 || first + n > (1L << 33)) throw new IllegalArgumentException("uniforms " + first + " .. " + (first + n) + " of one address");
        int[] w = new int[4];
        int block = -1;
        for (int j = 0; j < n; j++) {
            long i = first + j;
            int b = (int) (i >>> 1);
            if (b != block || j == 0) {
                Philox4x32.block(b, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
                block = b;
            }
            out[off + j] = (i & 1) == 0 ? bits53(w[0], w[1]) : bits53(w[2], w[3]);
        }
    }

    private static double bits53(int hi, int lo) {
        long b = ((hi & 0xFFFFFFFFL) << 21) | ((lo & 0xFFFFFFFFL) >>> 11);
        return (b + 0.5) * 0x1.0p-53;
    }

    /** A uniform in (0, 1] by address, for accept/reject decisions. */
    public static double uniform(int seed, int chain, long step, int group) {
        int[] w = new int[4];
        Philox4x32.block(0, group, (int) step, (int) (step >>> 32), seed, chain, w, 0);
        return ((w[0] & 0xFFFFFFFFL) + 1) * INV_2_32;
    }
}
