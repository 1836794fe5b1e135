// The nonlinearities of org.nnpost.model.Phi (same codes: 0 linear, 1 erf, 2 relu, 3 tanh),
// evaluated in double and rounded once to float like Phi.value(float) / Phi.derivative(float).
// Products are written with _rn intrinsics where Java's evaluation order matters, so the
// compiler does not fuse them into FMAs the CPU never does.
#pragma once

#define PHI_LINEAR 0
#define PHI_ERF 1
#define PHI_RELU 2
#define PHI_TANH 3

#define HALF_SQRT_PI_D 0.8862269254527579
#define PI_D 3.141592653589793

__device__ __forceinline__ float phi_value(int phi, float zf) {
    switch (phi) {
        case PHI_LINEAR: return zf;
        case PHI_ERF: return (float) erf(__dmul_rn(HALF_SQRT_PI_D, (double) zf));
        case PHI_RELU: return zf > 0.0f || zf != zf ? zf : 0.0f;   // NaN stays NaN, as on the CPU
        default: return (float) tanh((double) zf);
    }
}

__device__ __forceinline__ float phi_derivative(int phi, float zf) {
    double z = (double) zf;
    switch (phi) {
        case PHI_LINEAR: return 1.0f;
        case PHI_ERF: return (float) exp(__dmul_rn(__dmul_rn(-PI_D, z), z) / 4.0);
        case PHI_RELU: return zf > 0.0f ? 1.0f : zf != zf ? zf : 0.0f;
        default: {
            double t = tanh(z);
            return (float) __dsub_rn(1.0, __dmul_rn(t, t));
        }
    }
}
