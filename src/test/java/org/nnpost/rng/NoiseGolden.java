package org.nnpost.rng;

import java.util.List;

/**
 * Golden values of the noise: exact float bits of single normals by address, and of Box–Muller on
 * chosen words, as the float transform of {@link Noise} defines them. NoiseTest asserts them on the
 * CPU, PhiloxHeaderOnHostTest for philox.cuh compiled for the host, and CudaBackendGpuTest on a GPU
 * (the addresses fit its model: group 0 has 768 elements, group 1 1024, group 2 96; chains below 8).
 * A change of any of these numbers is a change of the noise stream: runs with the same seed no
 * longer repeat earlier ones.
 */
public final class NoiseGolden {
    private NoiseGolden() {}

    /** Normal i of (seed, chain, step, group) has the float bits {@code bits}. */
    public record Normal(int seed, int chain, long step, int group, int i, int bits) {}

    /** box_muller(a, b) = (r cos θ, r sin θ) with these bits. */
    public record Pair(int a, int b, int cosBits, int sinBits, String why) {}

    public static final List<Normal> NORMALS = List.of(
            new Normal(20240611, 3, 17, 1, 0, 0x3f8c8cd1),          //  1.0980474
            new Normal(20240611, 3, 17, 1, 1, 0x3e82066a),          //  0.2539552
            new Normal(20240611, 3, 17, 1, 2, 0xbfd3eb10),          // -1.655611
            new Normal(20240611, 3, 17, 1, 3, 0x3f5d24da),          //  0.86384356
            new Normal(0, 0, 0, 0, 0, 0x3f7dbb2f),                  //  0.99113744 (Random123's all-zero block)
            new Normal(99, 4, Noise.INIT_STEP, 0, 300, 0xbf3f8d21), // -0.7482472
            new Normal(-123456789, 5, (3L << 32) | 0xFFFFFFFFL, 2, 95, 0x3f116081),   // 0.5678788
            new Normal(42, 1, 1_000_000, 0, 767, 0xbf006e0a),       // -0.50167906
            new Normal(7, 2, 123_456_789_012L, 1, 1001, 0xbf4a8b5d)); // -0.791189

    public static final List<Pair> PAIRS = List.of(
            new Pair(0, 0, 0x40d5224d, 0x00000000, "u = 2^-32: the largest radius, sqrt(64 ln 2) = 6.660437; theta = 0"),
            new Pair(-1, 0, 0x00000000, 0x00000000, "u = 1: radius 0"),
            new Pair(0xFFFFFF7F, 0xFFFFFFFF, 0x00000000, 0x80000000, "w + 1 rounds up to 2^32: radius 0; octant 7"),
            new Pair(0x00FFFFFF, 0x00000100, 0x4055224d, 0x35a76522, "u = 2^-8: half the largest radius; theta = 2 pi 2^-24"),
            new Pair(0x7FFFFFFF, 0x40000000, 0x80000000, 0x3f96b55f, "u = 1/2: r = sqrt(2 ln 2); theta = pi/2 (cos is -0)"),
            new Pair(0, 0x20000000, 0x4096b560, 0x4096b55e, "theta = pi/4, where the odd octant 1 starts"),
            new Pair(0x00000FFF, 0xFFFFFF00, 0x40a87f49, 0xb6045660, "theta = 2 pi (1 - 2^-24): octant 7, alpha = 2^-21 pi/4"),
            new Pair(0x12345678, 0x9ABCDEF0, 0xbfe92f3c, 0xbfb3937c, "an ordinary pair in octant 4"));
}
