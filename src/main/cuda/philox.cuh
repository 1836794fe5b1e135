// Philox4x32-10 and Box-Muller, the GPU twin of org.nnpost.rng.Philox4x32 and org.nnpost.rng.Noise.
// Element i of group g of chain c at step t is normal (i mod 4) of the block with
// key (seed, c) and counter (i / 4, g, t low word, t high word); words (w0, w1) give the first
// pair, (w2, w3) the second. Box-Muller is float arithmetic of correctly rounded operations only
// (+, -, *, /, sqrt), each written as a round-to-nearest intrinsic so that nvcc cannot fuse a
// multiply and an add, in the order org.nnpost.rng.BoxMuller performs them: both backends draw
// the same normals bit for bit. Box-Muller calls no library function and uses no double (the
// accept uniform, uniform01, stays in double as Noise.uniform does).
#pragma once
#include <stdint.h>

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u
#define INV_2_32 2.3283064365386962890625e-10

// BoxMuller's constants, as the same hexadecimal floats
#define BM_LN2_HI 0x1.62e3p-1f
#define BM_LN2_LO 0x1.2fefa4p-17f
#define BM_L1 0x1.555556p-1f
#define BM_L2 0x1.99999ap-2f
#define BM_L3 0x1.24924ap-2f
#define BM_L4 0x1.c71c72p-3f
#define BM_PI_4 0x1.921fb6p-1f
#define BM_S1 -0x1.555556p-3f
#define BM_S2 0x1.111112p-7f
#define BM_S3 -0x1.a01a02p-13f
#define BM_S4 0x1.71de3ap-19f
#define BM_C1 -0x1.0p-1f
#define BM_C2 0x1.555556p-5f
#define BM_C3 -0x1.6c16c2p-10f
#define BM_C4 0x1.a01a02p-16f
#define BM_C5 -0x1.27e4fcp-22f

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

// n >= 0 exactly as a float (n < 2^23), as BoxMuller.exact.
__device__ __forceinline__ float bm_exact(uint32_t n) {
    return __fsub_rn(__uint_as_float(0x4B000000u | n), 8388608.0f);
}

// -ln u for u = (a + 1) 2^-32, a + 1 rounded once to float: u = 2^-j f with f in [sqrt 1/2, sqrt 2),
// -ln u = j ln 2 - ln f, ln f = (f - 1) - s ((f - 1) - R(s^2)), s = (f - 1) / (f + 1) (BoxMuller.radii).
__device__ __forceinline__ float bm_neg_log_unit(uint32_t a) {
    float m = __fadd_rn(__fmul_rn(bm_exact(a >> 16), 65536.0f), bm_exact((a & 0xFFFFu) + 1u));
    uint32_t bits = __float_as_uint(m);
    uint32_t mant = bits & 0x7FFFFFu;
    uint32_t half = (mant + 0x4AFB0Du) >> 23;
    float f = __uint_as_float(mant | (0x3F800000u - (half << 23)));
    float j = bm_exact(159u - (bits >> 23) - half);
    float f1 = __fsub_rn(f, 1.0f);
    float s = __fdiv_rn(f1, __fadd_rn(f, 1.0f));
    float z = __fmul_rn(s, s);
    float rs = __fmul_rn(z, BM_L4);                      // R = z (L1 + z (L2 + z (L3 + z L4)))
    rs = __fmul_rn(z, __fadd_rn(BM_L3, rs));
    rs = __fmul_rn(z, __fadd_rn(BM_L2, rs));
    rs = __fmul_rn(z, __fadd_rn(BM_L1, rs));
    float lnf = __fsub_rn(f1, __fmul_rn(s, __fsub_rn(f1, rs)));
    return __fadd_rn(__fmul_rn(j, BM_LN2_HI), __fsub_rn(__fmul_rn(j, BM_LN2_LO), lnf));
}

// (r cos theta, r sin theta) with r = sqrt(-2 ln u) from word a and theta = 2 pi (b >> 8) 2^-24 from
// word b: octant k = the top 3 bits, alpha = t pi/4 (k even) or (1 - t) pi/4 (k odd), sin and cos of
// alpha by their Taylor polynomials, then the octant's swap and signs (BoxMuller.angles, .combine).
__device__ __forceinline__ float2 box_muller(uint32_t a, uint32_t b) {
    float r = __fsqrt_rn(__fmul_rn(2.0f, bm_neg_log_unit(a)));
    uint32_t v = b >> 8;
    uint32_t k = v >> 21;
    uint32_t odd = 0u - (k & 1u);
    uint32_t tb = (((v & 0x1FFFFFu) ^ odd) - odd) + (odd & 0x200000u);
    float al = __fmul_rn(__fsub_rn(__uint_as_float(0x3F800000u + (tb << 2)), 1.0f), BM_PI_4);
    float z = __fmul_rn(al, al);
    float ps = __fmul_rn(z, BM_S4);                      // sin = al + al z (S1 + z (S2 + z (S3 + z S4)))
    ps = __fmul_rn(z, __fadd_rn(BM_S3, ps));
    ps = __fmul_rn(z, __fadd_rn(BM_S2, ps));
    ps = __fadd_rn(BM_S1, ps);
    float sn = __fadd_rn(al, __fmul_rn(__fmul_rn(al, z), ps));
    float pc = __fmul_rn(z, BM_C5);                      // cos = 1 + z (C1 + z (C2 + z (C3 + z (C4 + z C5))))
    pc = __fmul_rn(z, __fadd_rn(BM_C4, pc));
    pc = __fmul_rn(z, __fadd_rn(BM_C3, pc));
    pc = __fmul_rn(z, __fadd_rn(BM_C2, pc));
    pc = __fadd_rn(BM_C1, pc);
    float cs = __fadd_rn(1.0f, __fmul_rn(z, pc));
    uint32_t cb = __float_as_uint(cs), sb = __float_as_uint(sn);
    uint32_t swap = (cb ^ sb) & (0u - (((k + 1u) >> 1) & 1u));
    cb ^= swap ^ (((k + 2u) & 4u) << 29);
    sb ^= swap ^ ((k & 4u) << 29);
    return make_float2(__fmul_rn(r, __uint_as_float(cb)), __fmul_rn(r, __uint_as_float(sb)));
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
