package org.nnpost.rng;

/**
 * The word-to-normal transform of {@link Noise} on up to {@link #PAIRS} Box–Muller pairs at a
 * time, staged for the JIT: the steps that need a float's bits (splitting the radius's float
 * into exponent and mantissa, the angle's octant, the octant's swap and signs) run as scalar
 * integer code without branches, and the arithmetic between them (the logarithm's division and
 * series, the square root, the sine and cosine polynomials) runs in loops over arrays that the
 * JIT compiles to SIMD instructions. Per pair p the words are words[2p] (radius) and
 * words[2p + 1] (angle).
 *
 * <p>Only the order of the rounded operations defines the numbers: {@code box_muller} in
 * src/main/cuda/philox.cuh performs the same rounded operations in the same order, one pair per
 * call; the exact steps (bit manipulation, selection, negation) may be written differently
 * there. Any change here must be made there too, and the golden values of NoiseTest and
 * CudaBackendGpuTest move with it.
 */
final class BoxMuller {
    /**
     * Pairs per pass: enough for the SIMD loops to run long (the Philox lanes of 256 blocks
     * spend less than a tenth of their time in the scalar pre- and post-loops), few enough for
     * a pass's arrays (about 27 KB with the lanes) to stay in L1.
     */
    static final int PAIRS = 512;
    /** Blocks per pass from which {@link PhiloxLanes} beats the scalar block (measured: 32 blocks break even). */
    static final int LANES_MIN = 32;

    // ln 2 = LN2_HI + LN2_LO; LN2_HI has 17 significant bits, so j·LN2_HI is exact for j ≤ 127
    static final float LN2_HI = 0x1.62e3p-1f, LN2_LO = 0x1.2fefa4p-17f;
    // 2/3, 2/5, 2/7, 2/9: ln f = 2s + s·R, R = L1 z + L2 z² + L3 z³ + L4 z⁴, z = s²
    static final float L1 = 0x1.555556p-1f, L2 = 0x1.99999ap-2f, L3 = 0x1.24924ap-2f, L4 = 0x1.c71c72p-3f;
    static final float PI_4 = 0x1.921fb6p-1f;
    // sin α = α + α z (S1 + S2 z + S3 z² + S4 z³): −1/3!, 1/5!, −1/7!, 1/9!
    static final float S1 = -0x1.555556p-3f, S2 = 0x1.111112p-7f, S3 = -0x1.a01a02p-13f, S4 = 0x1.71de3ap-19f;
    // cos α = 1 + z (C1 + C2 z + … + C5 z⁴): −1/2!, 1/4!, −1/6!, 1/8!, −1/10!
    static final float C1 = -0x1.0p-1f, C2 = 0x1.555556p-5f, C3 = -0x1.6c16c2p-10f, C4 = 0x1.a01a02p-16f,
            C5 = -0x1.27e4fcp-22f;

    /** The Philox words, two per pair. */
    final int[] words;
    /** −ln u and r = √(−2 ln u) of each pair. */
    final float[] negLogU, r;
    /** sin α, cos α and the octant k of each pair's angle θ = kπ/4 ± α. */
    final float[] sinA, cosA;
    final int[] octant;
    private final float[] f, j, a;
    /** The generator of passes of at least {@link #LANES_MIN} blocks; null when a pass is shorter. */
    private final PhiloxLanes lanes;

    BoxMuller(int pairs) {
        words = new int[2 * pairs];
        negLogU = new float[pairs];
        r = new float[pairs];
        sinA = new float[pairs];
        cosA = new float[pairs];
        octant = new int[pairs];
        f = new float[pairs];
        j = new float[pairs];
        a = new float[pairs];
        lanes = pairs >= 2 * LANES_MIN ? new PhiloxLanes(pairs / 2) : null;
    }

    /** n ≥ 0 exactly as a float, without a conversion instruction (n < 2²³). */
    private static float exact(int n) {
        return Float.intBitsToFloat(0x4B000000 | n) - 0x1p23f;
    }

    /**
     * −ln u and r for pairs 0..count−1, u = (w + 1)·2⁻³² with w = words[2p] unsigned and w + 1
     * rounded once to float. u = 2⁻ʲ f with f ∈ [√½, √2); −ln u = j ln 2 − ln f, and
     * ln f = (f−1) − s((f−1) − R) with s = (f−1)/(f+1) (f − 1 is exact).
     */
    void radii(int count) {
        for (int p = 0; p < count; p++) {
            int w = words[2 * p];
            float m = exact(w >>> 16) * 0x1p16f + exact((w & 0xFFFF) + 1);   // one rounding: w + 1 to float
            int bits = Float.floatToRawIntBits(m);
            int mant = bits & 0x7FFFFF;
            int half = (mant + 0x4AFB0D) >>> 23;                     // 1 when the mantissa is ≥ √2 (0x3504F3)
            f[p] = Float.intBitsToFloat(mant | (0x3F800000 - (half << 23)));
            j[p] = exact(159 - (bits >>> 23) - half);                // m·2⁻³² = 2^−j f, j ∈ [0, 32]
        }
        for (int p = 0; p < count; p++) {
            float fp = f[p], f1 = fp - 1f;
            float s = f1 / (fp + 1f);
            float z = s * s;
            float rs = z * (L1 + z * (L2 + z * (L3 + z * L4)));
            float lnf = f1 - s * (f1 - rs);
            float jp = j[p];
            negLogU[p] = jp * LN2_HI + (jp * LN2_LO - lnf);
        }
        for (int p = 0; p < count; p++) r[p] = (float) Math.sqrt(2f * negLogU[p]);   // a float's root in double, rounded: the float root
    }

    /**
     * sin α, cos α and the octant k for pairs 0..count−1: with v the top 24 bits of
     * words[2p + 1], θ = 2π v 2⁻²⁴; k = the top 3 bits of v, t = the low 21 bits times 2⁻²¹, and
     * α = t·π/4 for even k, (1 − t)·π/4 for odd k (1 − t as the integer 2²¹ − bits, exact).
     */
    void angles(int count) {
        for (int p = 0; p < count; p++) {
            int v = words[2 * p + 1] >>> 8;
            int k = v >>> 21;
            int odd = -(k & 1);
            int tb = (((v & 0x1FFFFF) ^ odd) - odd) + (odd & 0x200000);      // t·2²¹ or (1 − t)·2²¹
            a[p] = Float.intBitsToFloat(0x3F800000 + (tb << 2)) - 1f;         // tb·2⁻²¹, exact
            octant[p] = k;
        }
        for (int p = 0; p < count; p++) {
            float al = a[p] * PI_4;
            float z = al * al;
            sinA[p] = al + al * z * (S1 + z * (S2 + z * (S3 + z * S4)));
            cosA[p] = 1f + z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * C5))));
        }
    }

    /**
     * out[at + 2p] = r cos θ, out[at + 2p + 1] = r sin θ. The octant swaps sin α and cos α (k = 1,
     * 2, 5, 6) and sets the signs (cos θ < 0 for k = 2..5, sin θ < 0 for k = 4..7), on the bits.
     */
    void combine(float[] out, int at, int count) {
        for (int p = 0; p < count; p++, at += 2) {
            int k = octant[p];
            int cb = Float.floatToRawIntBits(cosA[p]), sb = Float.floatToRawIntBits(sinA[p]);
            int swap = (cb ^ sb) & -(((k + 1) >>> 1) & 1);
            cb ^= swap ^ (((k + 2) & 4) << 29);
            sb ^= swap ^ ((k & 4) << 29);
            float rp = r[p];
            out[at] = rp * Float.intBitsToFloat(cb);
            out[at + 1] = rp * Float.intBitsToFloat(sb);
        }
    }

    /** Normals of blocks first, first + 1, … of (seed, chain, step, group) into out[off .. off+n−1]. */
    void fill(int seed, int chain, long step, int group, int first, float[] out, int off, int n) {
        int stepLo = (int) step, stepHi = (int) (step >>> 32);
        int chunk = words.length;
        float[] tail = null;
        for (int done = 0; done < n; done += chunk) {
            int len = Math.min(chunk, (n - done + 3) & ~3);          // whole blocks
            int block = first + (done >>> 2);
            if (lanes != null && len >= 4 * LANES_MIN) lanes.blocks(block, group, stepLo, stepHi, seed, chain, words, 0, len >>> 2);
            else
                for (int i = 0; i < len; i += 4)
                    Philox4x32.block(block + (i >>> 2), group, stepLo, stepHi, seed, chain, words, i);
            int pairs = len >>> 1;
            radii(pairs);
            angles(pairs);
            int keep = Math.min(len, n - done);
            if (keep == len) combine(out, off + done, pairs);
            else {
                if (tail == null) tail = new float[len];
                combine(tail, 0, pairs);
                System.arraycopy(tail, 0, out, off + done, keep);
            }
        }
    }
}
