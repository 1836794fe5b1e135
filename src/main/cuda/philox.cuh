// Philox4x32-10 and Box-Muller, the GPU twin of org.nnpost.rng.Philox4x32 and org.nnpost.rng.Noise.
// Element i of group g of chain c at step t is normal (i mod 4) of the block with
// key (seed, c) and counter (i / 4, g, t low word, t high word); words (w0, w1) give the first
// pair, (w2, w3) the second. Box-Muller runs in double and is rounded once to float, exactly as
// the CPU backend does, so both backends draw the same numbers (up to rare one-ulp differences of
// the double transcendental functions).
#pragma once
#include <stdint.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define INV_2_32 2.3283064365386962890625e-10
#define TWO_PI_D 6.283185307179586

__device__ __forceinline__ uint4 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                               uint32_t k0, uint32_t k1) {
#pragma unroll
    for (int round = 0; round < 10; round++) {
        uint32_t hi0 = __umulhi(PHILOX_M0, c0), lo0 = PHILOX_M0 * c0;
        uint32_t hi1 = __umulhi(PHILOX_M1, c2), lo1 = PHILOX_M1 * c2;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    return make_uint4(c0, c1, c2, c3);
}

// u = (a + 1) 2^-32 in (0, 1] for the radius, v = b 2^-32 for the angle.
__device__ __forceinline__ float2 box_muller(uint32_t a, uint32_t b) {
    double u = ((double) a + 1.0) * INV_2_32;
    double v = (double) b * INV_2_32;
    double r = sqrt(-2.0 * log(u));
    double th = TWO_PI_D * v;
    double s, c;
    sincos(th, &s, &c);
    return make_float2((float) (r * c), (float) (r * s));
}

// The four normals of block j of (seed, chain, step, group).
__device__ __forceinline__ float4 normals4(uint32_t seed, uint32_t chain, long long step, uint32_t group,
                                           uint32_t j) {
    unsigned long long t = (unsigned long long) step;
    uint4 w = philox4x32_10(j, group, (uint32_t) t, (uint32_t) (t >> 32), seed, chain);
    float2 p = box_muller(w.x, w.y), q = box_muller(w.z, w.w);
    return make_float4(p.x, p.y, q.x, q.y);
}

// A uniform in (0, 1] by address: word 0 of block 0 (Noise.uniform).
__device__ __forceinline__ double uniform01(uint32_t seed, uint32_t chain, long long step, uint32_t group) {
    unsigned long long t = (unsigned long long) step;
    uint4 w = philox4x32_10(0u, group, (uint32_t) t, (uint32_t) (t >> 32), seed, chain);
    return ((double) w.x + 1.0) * INV_2_32;
}
