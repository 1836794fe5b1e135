package org.nnpost.rng;

/**
 * Philox4x32-10 (Salmon et al., SC'11): a counter-based generator, a pure function of a
 * 128-bit counter and a 64-bit key. Same-seed reproducibility across threads, backends and
 * resumes follows from never holding generator state: every random number is addressed.
 * {@code src/main/cuda/philox.cuh} is the same function for the GPU.
 */
public final class Philox4x32 {
    private Philox4x32() {}

    static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    /** Ten rounds on counter (c0..c3) with key (k0, k1); writes four words into out[off..off+3]. */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out, int off) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        out[off] = c0; out[off + 1] = c1; out[off + 2] = c2; out[off + 3] = c3;
    }
}
