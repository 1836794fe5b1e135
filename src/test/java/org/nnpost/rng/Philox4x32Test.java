package org.nnpost.rng;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Our Philox4x32-10 block function against published vectors and an independent implementation. */
class Philox4x32Test {

    /**
     * Random123's known-answer vectors for philox4x32 with 10 rounds (file tests/kat_vectors of
     * the Random123 distribution): counter c0..c3, key k0 k1, expected output words.
     */
    @ParameterizedTest(name = "ctr {0} {1} {2} {3} key {4} {5}")
    @CsvSource(delimiter = ' ', value = {
            "00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
            "ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd",
            "243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1"})
    void blockMatchesRandom123KnownAnswers(String c0, String c1, String c2, String c3, String k0, String k1,
                                           String e0, String e1, String e2, String e3) {
        int[] out = new int[4];
        Philox4x32.block(hex(c0), hex(c1), hex(c2), hex(c3), hex(k0), hex(k1), out, 0);
        assertArrayEquals(new int[]{hex(e0), hex(e1), hex(e2), hex(e3)}, out);
    }

    /**
     * Commons RNG's Philox4x32 takes the seed {k0, k1, c0, c1, c2, c3}, increments the 128-bit
     * counter (c0 the least significant word) before each block, and emits the block's words in
     * order w0..w3. So its stream is block(c+1), block(c+2), … — which our pure block function must
     * reproduce, including carries across counter words.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void blockReproducesCommonsRngStream(long which) {
        SplittableRandom r = new SplittableRandom(which);
        int[] seed = {r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt()};
        if (which == 4) { seed[2] = -3; }                    // carry from c0 into c1 within the stream
        if (which == 5) { seed[2] = -2; seed[3] = -1; seed[4] = -1; seed[5] = -1; }   // wraps to zero
        var ref = new org.apache.commons.rng.core.source32.Philox4x32(seed.clone());
        int blocks = 64;
        int[] expected = new int[4 * blocks], actual = new int[4 * blocks];
        for (int i = 0; i < expected.length; i++) expected[i] = ref.next();
        int[] c = {seed[2], seed[3], seed[4], seed[5]};
        for (int b = 0; b < blocks; b++) {
            increment(c);
            Philox4x32.block(c[0], c[1], c[2], c[3], seed[0], seed[1], actual, 4 * b);
        }
        assertArrayEquals(expected, actual);
    }

    private static void increment(int[] c) {
        for (int w = 0; w < 4; w++) if (++c[w] != 0) return;
    }

    private static int hex(String s) { return Integer.parseUnsignedInt(s, 16); }
}
