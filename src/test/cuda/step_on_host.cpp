// langevin.cuh's step formulas on the host, for StepMathHeaderOnHostTest. Reads requests from stdin,
// one per line, numbers as the hexadecimal bits of a float (8 digits) or a double (16 digits), and
// answers each with one line (a NaN result as "nan": payloads are the platform's):
//   L t g eta invVar noiseScale xi      the bits of langevin_one (a float)
//   R old theta grad eta invVar         the bits of mala_reverse_element and mala_reverse_share (doubles)
//   Q sum eta                           the bits of mala_reverse_term (a double; sum a double, eta a float)
//   A uNew uOld logQForward logQReverse the bits of MALA_LOG_ACCEPTANCE (a double)
//   U u logAlpha                        MALA_ACCEPTS as 1 or 0
//   T                                   TRACE_POTENTIAL TRACE_LOSS TRACE_SQNORM0 in decimal
//   K p grad theta halfStep invVar      the bits of uld_kick_one (a float)
//   D theta p halfStep                  the bits of uld_drift_one
//   F p decay noise xi                  the bits of uld_refresh_one
// Build: c++ -std=c++17 -O2 -ffp-contract=off -include host_shim.h -I ../../main/cuda step_on_host.cpp
#include <cinttypes>
#include <cstdio>
#include "langevin.cuh"

static float f32(uint32_t bits) { return __uint_as_float(bits); }

static double f64(uint64_t bits) {
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

static uint64_t bits64(double d) {
    uint64_t u;
    std::memcpy(&u, &d, sizeof u);
    return u;
}

static void print64(double v) {
    if (v != v) std::printf("nan");
    else std::printf("%016" PRIx64, bits64(v));
}

int main() {
    char kind;
    while (std::scanf(" %c", &kind) == 1) {
        if (kind == 'L') {
            uint32_t a[6];
            for (uint32_t& x : a)
                if (std::scanf("%" SCNx32, &x) != 1) return 2;
            float v = langevin_one(f32(a[0]), f32(a[1]), f32(a[2]), f32(a[3]), f32(a[4]), f32(a[5]));
            if (v != v) std::printf("nan");
            else std::printf("%08" PRIx32, __float_as_uint(v));
        } else if (kind == 'R') {
            uint32_t a[5];
            for (uint32_t& x : a)
                if (std::scanf("%" SCNx32, &x) != 1) return 2;
            print64(mala_reverse_element(f32(a[0]), f32(a[1]), f32(a[2]), f32(a[3]), f32(a[4])));
            std::printf(" ");
            print64(mala_reverse_share(f32(a[0]), f32(a[1]), f32(a[2]), f32(a[3]), f32(a[4])));
        } else if (kind == 'Q') {
            uint64_t sum;
            uint32_t eta;
            if (std::scanf("%" SCNx64 " %" SCNx32, &sum, &eta) != 2) return 2;
            print64(mala_reverse_term(f64(sum), f32(eta)));
        } else if (kind == 'A') {
            uint64_t a[4];
            for (uint64_t& x : a)
                if (std::scanf("%" SCNx64, &x) != 1) return 2;
            print64(MALA_LOG_ACCEPTANCE(f64(a[0]), f64(a[1]), f64(a[2]), f64(a[3])));
        } else if (kind == 'U') {
            uint64_t a[2];
            for (uint64_t& x : a)
                if (std::scanf("%" SCNx64, &x) != 1) return 2;
            std::printf("%d", MALA_ACCEPTS(f64(a[0]), f64(a[1])) ? 1 : 0);
        } else if (kind == 'K' || kind == 'D' || kind == 'F') {
            int n = kind == 'K' ? 5 : kind == 'D' ? 3 : 4;
            uint32_t a[5];
            for (int i = 0; i < n; i++)
                if (std::scanf("%" SCNx32, &a[i]) != 1) return 2;
            float v = kind == 'K' ? uld_kick_one(f32(a[0]), f32(a[1]), f32(a[2]), f32(a[3]), f32(a[4]))
                    : kind == 'D' ? uld_drift_one(f32(a[0]), f32(a[1]), f32(a[2]))
                    : uld_refresh_one(f32(a[0]), f32(a[1]), f32(a[2]), f32(a[3]));
            if (v != v) std::printf("nan");
            else std::printf("%08" PRIx32, __float_as_uint(v));
        } else if (kind == 'T') {
            std::printf("%d %d %d", TRACE_POTENTIAL, TRACE_LOSS, TRACE_SQNORM0);
        } else {
            return 2;
        }
        std::printf("\n");
    }
    return 0;
}
