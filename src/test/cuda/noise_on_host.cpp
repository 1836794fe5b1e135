// philox.cuh's normals on the host, for PhiloxHeaderOnHostTest. Reads requests from stdin, one per
// line, and answers each with one line of float bits in hex:
//   N seed chain step group n   normals 0..n-1 of the address, as langevin_update draws them
//   P a b                       box_muller(a, b) of two words (unsigned decimal)
// Build: c++ -std=c++17 -O2 -ffp-contract=off -include host_shim.h -I ../../main/cuda noise_on_host.cpp
#include <cstdio>
#include "philox.cuh"

int main() {
    char kind;
    while (std::scanf(" %c", &kind) == 1) {
        if (kind == 'N') {
            long long seed, chain, step, group, n;
            if (std::scanf("%lld %lld %lld %lld %lld", &seed, &chain, &step, &group, &n) != 5) return 2;
            for (long long i = 0; i < n; i += 4) {
                float4 q = normals4((uint32_t) seed, (uint32_t) chain, step, (uint32_t) group, (uint32_t) (i / 4));
                float v[4] = {q.x, q.y, q.z, q.w};
                for (long long k = 0; k < 4 && i + k < n; k++) std::printf("%s%08x", i + k ? " " : "", __float_as_uint(v[k]));
            }
        } else if (kind == 'P') {
            unsigned long a, b;
            if (std::scanf("%lu %lu", &a, &b) != 2) return 2;
            float2 p = box_muller((uint32_t) a, (uint32_t) b);
            std::printf("%08x %08x", __float_as_uint(p.x), __float_as_uint(p.y));
        } else {
            return 2;
        }
        std::printf("\n");
    }
    return 0;
}
