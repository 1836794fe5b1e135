package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The lane-wise generator against the scalar block, word for word. */
class PhiloxLanesTest {

    private static int[] scalar(int c0, int c1, int c2, int c3, int k0, int k1, int count) {
        int[] w = new int[4 * count];
        for (int b = 0; b < count; b++) Philox4x32.block(c0 + b, c1, c2, c3, k0, k1, w, 4 * b);
        return w;
    }

    private static void check(PhiloxLanes lanes, int c0, int c1, int c2, int c3, int k0, int k1, int count, int off) {
        int[] got = new int[off + 4 * count + 4];
        got[off + 4 * count] = 0x5EED;                        // a word past the end: must stay
        lanes.blocks(c0, c1, c2, c3, k0, k1, got, off, count);
        int[] expected = scalar(c0, c1, c2, c3, k0, k1, count);
        int[] part = java.util.Arrays.copyOfRange(got, off, off + 4 * count);
        assertArrayEquals(expected, part, () -> String.format("c0 %08x c1 %08x c2 %08x c3 %08x key %08x %08x count %d",
                c0, c1, c2, c3, k0, k1, count));
        assertEquals(0x5EED, got[off + 4 * count], "wrote past the blocks");
    }

    /** Random counters and keys, every count from 0 to the capacity (whole vectors and ragged tails), reusing one generator. */
    @Test
    void equalsTheScalarBlockForRandomCountersKeysAndCounts() {
        SplittableRandom r = new SplittableRandom(20240611);
        PhiloxLanes lanes = new PhiloxLanes(300);
        for (int count = 0; count <= 300; count++)
            for (int k = 0; k < 3; k++)
                check(lanes, r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), count, k);
    }

    /**
     * c0 + b wrapping past 2³² − 1 to 0, counters and keys with the top bit set (negative ints),
     * all-zero and all-one words, and the 16-bit boundaries of the split products.
     */
    @Test
    void equalsTheScalarBlockAtWordBoundaries() {
        int[] edge = {0, 1, -1, -2, 0x7FFFFFFF, 0x80000000, 0x80000001, 0xFFFF, 0x10000, 0xFFFF0000, 0x0000FFFF,
                0xD2511F53, 0xCD9E8D57};
        PhiloxLanes lanes = new PhiloxLanes(256);
        for (int c0 : new int[]{-1, -100, -255, -256, 0x7FFFFF80, 0, -37})
            for (int x : edge)
                for (int k : edge) {
                    check(lanes, c0, x, ~x, x, k, ~k, 256, 0);
                    check(lanes, c0, k, x, -x, x, k, 131, 2);
                }
    }

    /** A stream of 2²⁰ blocks (4 million normals) in passes of 256, around c0 = 0: long enough for C2 to compile the vector loops. */
    @Test
    void equalsTheScalarBlockOverALongStream() {
        PhiloxLanes lanes = new PhiloxLanes(256);
        int[] got = new int[4 * 256];
        int[] expected = new int[4];
        int seed = 20240611, chain = 7, group = 1;
        long step = 0x1_0000_0003L;
        for (int first = -(1 << 19); first < (1 << 19); first += 256) {
            lanes.blocks(first, group, (int) step, (int) (step >>> 32), seed, chain, got, 0, 256);
            for (int b = 0; b < 256; b++) {
                Philox4x32.block(first + b, group, (int) step, (int) (step >>> 32), seed, chain, expected, 0);
                for (int w = 0; w < 4; w++)
                    if (got[4 * b + w] != expected[w])
                        assertEquals(expected[w], got[4 * b + w], "block " + (first + b) + " word " + w);
            }
        }
    }

    /** The split high words against the long product: every 16-bit half beside the extreme other halves, and random words. */
    @Test
    void highWordsOfTheProductsAreExact() {
        SplittableRandom r = new SplittableRandom(3);
        for (int h = 0; h < 1 << 16; h++)
            for (int a : new int[]{h << 16, (h << 16) | 0xFFFF, h, h | 0xFFFF0000, r.nextInt()})
                checkHighWords(a);
    }

    private static void checkHighWords(int a) {
        long u = a & 0xFFFFFFFFL;
        assertEquals((int) ((u * (Philox4x32.M0 & 0xFFFFFFFFL)) >>> 32), PhiloxLanes.mulHi0(a), () -> Integer.toHexString(a));
        assertEquals((int) ((u * (Philox4x32.M1 & 0xFFFFFFFFL)) >>> 32), PhiloxLanes.mulHi1(a), () -> Integer.toHexString(a));
    }
}
