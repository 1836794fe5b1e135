package org.nnpost.rng;

import static org.nnpost.rng.Philox4x32.M0;
import static org.nnpost.rng.Philox4x32.M1;
import static org.nnpost.rng.Philox4x32.W0;
import static org.nnpost.rng.Philox4x32.W1;

/**
 * {@link Philox4x32#block} on the counters (c0 + b, c1, c2, c3), b = 0..count−1, under one key:
 * the same words, computed lane by lane so that the JIT compiles each round to SIMD instructions.
 * The blocks of one {@link Noise#normals} call differ only in c0, so this is its generator;
 * single draws keep the scalar block.
 *
 * <p>Why it is written this way (HotSpot C2 of JDK 17 on AVX2; each point measured, see
 * benchmarks/RESULTS.md):
 * <ul>
 * <li>The 32×32→64-bit products are made of int operations only. C2 leaves the scalar block's
 *     {@code (c & 0xFFFFFFFFL) * M} on int lanes scalar, and on long lanes emits a full
 *     64×64-bit multiply on 4 lanes, half as fast as this. The low word is the int product; the
 *     high word comes from the four 16×16-bit products of the halves ({@link #mulHi0}).</li>
 * <li>Each loop holds half a round, one product: C2 must unroll a loop 8 times before its
 *     superword pass can fill 8-lane vectors, and it unrolls only small bodies (LoopUnrollLimit,
 *     60 nodes, with exceptions). Two fused rounds were left scalar; one round per loop came
 *     out on 4 lanes for short passes.</li>
 * <li>The state lives in six arrays that change roles from round to round: a loop never writes
 *     an array that it reads at another lane.</li>
 * <li>In round 0 only the product of c0 differs between lanes, in round 1 only that of the new
 *     c2: the products that are the same in every lane are computed once (two of a block's
 *     twenty).</li>
 * <li>Words go out interleaved, four per block as {@link BoxMuller} reads them, in a last
 *     scalar pass.</li>
 * </ul>
 * Each loop runs up to 7 lanes in scalar pre- and post-loops, so short calls gain little:
 * BoxMuller uses this from 32 blocks a pass.
 */
final class PhiloxLanes {
    /** The halves of the multipliers, for the high words. */
    private static final int M0_LO = M0 & 0xFFFF, M0_HI = M0 >>> 16, M1_LO = M1 & 0xFFFF, M1_HI = M1 >>> 16;

    /** The largest capacity. */
    static final int MAX_CAPACITY = 1024;
    /** IOTA[b] = b, for the counters c0 + b: C2 (JDK 17) does not vectorise a loop that uses its index as a value. */
    private static final int[] IOTA = new int[MAX_CAPACITY];
    static {
        for (int b = 0; b < MAX_CAPACITY; b++) IOTA[b] = b;
    }

    /** The most counters one call takes. */
    final int capacity;
    private final int[] x0, x1, x2, x3, y0, y1;

    PhiloxLanes(int capacity) {
        if (capacity < 0 || capacity > MAX_CAPACITY) throw new IllegalArgumentException("capacity " + capacity);
        this.capacity = capacity;
        x0 = new int[capacity];
        x1 = new int[capacity];
        x2 = new int[capacity];
        x3 = new int[capacity];
        y0 = new int[capacity];
        y1 = new int[capacity];
    }

    /** The high word of the unsigned product a·M0, from 16-bit halves (each partial product fits 32 bits unsigned). */
    static int mulHi0(int a) {
        int lo = a & 0xFFFF, hi = a >>> 16;
        int t = hi * M0_LO + ((lo * M0_LO) >>> 16);        // < 2³²: (2¹⁶−1)² + 2¹⁶
        int u = lo * M0_HI + (t & 0xFFFF);
        return hi * M0_HI + (t >>> 16) + (u >>> 16);
    }

    /** The high word of the unsigned product a·M1. */
    static int mulHi1(int a) {
        int lo = a & 0xFFFF, hi = a >>> 16;
        int t = hi * M1_LO + ((lo * M1_LO) >>> 16);
        int u = lo * M1_HI + (t & 0xFFFF);
        return hi * M1_HI + (t >>> 16) + (u >>> 16);
    }

    /**
     * out[off + 4b .. off + 4b + 3] = the words of Philox4x32.block(c0 + b, c1, c2, c3, k0, k1)
     * for b = 0..count−1 (c0 + b wraps as an int), count ≤ {@link #capacity}.
     */
    void blocks(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int off, int count) {
        if (count > capacity) throw new IllegalArgumentException("count " + count + " > capacity " + capacity);
        int[] iota = IOTA;
        // round 0: new c0 and c1 come from the product M1·c2, the same for every lane
        int r0c0 = mulHi1(c2) ^ c1 ^ k0, r0c1 = c2 * M1;
        // round 1: the product M0·(new c0) is the same for every lane too; new c3 is its low word
        int r1hi = mulHi0(r0c0), r1c3 = r0c0 * M0;
        int r0x = c3 ^ k1, r1x0 = r0c1 ^ (k0 + W0), r1x2 = r1hi ^ (k1 + W1);
        // x2: c2 after round 0; x3: c2 after round 1, made of round 0's c3, the low word of (c0 + i)·M0
        int[] x0 = this.x0, x1 = this.x1, x2 = this.x2, x3 = this.x3;
        for (int i = 0; i < count; i++) {
            int c = c0 + iota[i];
            x2[i] = mulHi0(c) ^ r0x;
            x3[i] = (c * M0) ^ r1x2;
        }
        // x0, x1: round 1's c0 and c1, from round 0's c2
        for (int i = 0; i < count; i++) {
            int c = x2[i];
            x0[i] = mulHi1(c) ^ r1x0;
            x1[i] = c * M1;
        }
        // round 2 on the state (x0, x1, x3, r1c3 in every lane): c0 and c1 into y0, y1, then c2
        // and c3 into x2 and x3, both read already
        int kr0 = k0 + 2 * W0, kr1 = (k1 + 2 * W1) ^ r1c3;
        halfM1(x1, x3, y0, y1, kr0, count);
        for (int i = 0; i < count; i++) {
            int c = x0[i];
            x2[i] = mulHi0(c) ^ kr1;
            x3[i] = c * M0;
        }
        // state: c0 = y0, c1 = y1, c2 = x2, c3 = x3; free: x0, x1
        int[] q0 = y0, q1 = y1, q2 = x2, q3 = x3, f0 = x0, f1 = x1;
        for (int round = 3; round < 10; round++) {
            halfM1(q1, q2, f0, f1, k0 + round * W0, count);     // new c0, c1 from c1, c2
            halfM0(q0, q3, q2, q3, k1 + round * W1, count);     // new c2, c3 from c0, c3 (in place: same lane)
            int[] t0 = q0, t1 = q1;
            q0 = f0; q1 = f1; f0 = t0; f1 = t1;
        }
        for (int i = 0, o = off; i < count; i++, o += 4) {
            out[o] = q0[i];
            out[o + 1] = q1[i];
            out[o + 2] = q2[i];
            out[o + 3] = q3[i];
        }
    }

    /** n0 = hi(M1·c2) ^ c1 ^ k0, n1 = lo(M1·c2): the first half of a round. */
    private static void halfM1(int[] c1, int[] c2, int[] n0, int[] n1, int k0, int count) {
        for (int i = 0; i < count; i++) {
            int c = c2[i];
            n0[i] = mulHi1(c) ^ c1[i] ^ k0;
            n1[i] = c * M1;
        }
    }

    /** n2 = hi(M0·c0) ^ c3 ^ k1, n3 = lo(M0·c0): the second half of a round. */
    private static void halfM0(int[] c0, int[] c3, int[] n2, int[] n3, int k1, int count) {
        for (int i = 0; i < count; i++) {
            int c = c0[i];
            n2[i] = mulHi0(c) ^ c3[i] ^ k1;
            n3[i] = c * M0;
        }
    }
}
