// The per-element and per-chain formulas of a Langevin step, the GPU twin of
// org.nnpost.backend.StepMath, and the trace row's columns (org.nnpost.backend.Traces). The
// kernels of nnpost.cu call these inside their own fused loops. Each operation whose rounding
// matters is a round-to-nearest intrinsic, so that nvcc cannot fuse a multiply and an add the CPU
// performs separately: compiled for the host with src/test/cuda/host_shim.h (each intrinsic one
// IEEE operation, no contraction), the header gives StepMath's results bit for bit
// (StepMathHeaderOnHostTest).
#pragma once

// Columns of a chain's trace row, [U, loss, |theta_0|^2, ..., |theta_L|^2], as Traces names them.
#define TRACE_POTENTIAL 0
#define TRACE_LOSS 1
#define TRACE_SQNORM0 2

// theta - eta (grad + theta invVar) + noiseScale xi, rounded step by step as Java does:
// (t - eta (g + t iv)) + s n (StepMath.langevin).
__host__ __device__ __forceinline__ float langevin_one(float t, float g, float eta, float invVar, float noiseScale,
                                                       float n) {
    float upd = __fmul_rn(eta, __fadd_rn(g, __fmul_rn(t, invVar)));
    return __fadd_rn(__fsub_rn(t, upd), __fmul_rn(noiseScale, n));
}

// One element of MALA's reverse proposal term, d = (old - theta) + eta (grad + theta invVar), where
// old is the element before the proposal and theta, grad after it: old - theta in float, as Java
// subtracts two floats, the rest in double, each operation rounded (StepMath.reverseElement). With
// plain operators nvcc would fuse eta * full + (old - theta) into one FMA, which the CPU never does.
__host__ __device__ __forceinline__ double mala_reverse_element(float old, float theta, float grad, float eta,
                                                                float invVar) {
    double full = __dadd_rn((double) grad, __dmul_rn((double) theta, (double) invVar));
    return __dadd_rn((double) __fsub_rn(old, theta), __dmul_rn((double) eta, full));
}

// d^2, the element's share of |theta - theta' + eta grad U(theta')|^2 (StepMath.reverseShare).
__host__ __device__ __forceinline__ double mala_reverse_share(float old, float theta, float grad, float eta,
                                                              float invVar) {
    double d = mala_reverse_element(old, theta, grad, eta, invVar);
    return __dmul_rn(d, d);
}

// -log q(theta|theta') of a group from a sum of its shares: sum / (4 eta) (StepMath.reverseTerm); a
// multiply by 4 and a division, which nvcc cannot fuse.
__host__ __device__ __forceinline__ double mala_reverse_term(double sum, float eta) {
    return sum / (4.0 * (double) eta);
}

// The two per-chain formulas of MALA's decision are macros, each argument converted to double: as
// inline functions they compute the same, but nvcc then schedules mala_decide's loads and lays out
// its branch differently, and as macros the kernel compiles to the instructions it always had.

// log of MALA's acceptance ratio, -uNew + uOld - logQReverse + logQForward in that order, where
// logQForward = -log q(theta'|theta) = 1/2 |xi|^2 and logQReverse = -log q(theta|theta') (StepMath.logAcceptance).
#define MALA_LOG_ACCEPTANCE(uNew, uOld, logQForward, logQReverse) \
    (-(double) (uNew) + (double) (uOld) - (double) (logQReverse) + (double) (logQForward))

// Whether the uniform u in (0, 1] accepts: log u < log alpha, false for a NaN log alpha (StepMath.accepts).
#define MALA_ACCEPTS(u, logAlpha) (log((double) (u)) < (double) (logAlpha))

// Underdamped Langevin, BAOAB with unit mass (StepMath.kick, drift, refresh; Underdamping gives
// halfStep = h/2 = sqrt(2 eta)/2, decay = exp(-gamma h), noise = sqrt(1 - exp(-2 gamma h))).

// B: p - halfStep (grad + theta invVar), each operation rounded in that order (StepMath.kick).
__host__ __device__ __forceinline__ float uld_kick_one(float p, float grad, float theta, float halfStep, float invVar) {
    return __fsub_rn(p, __fmul_rn(halfStep, __fadd_rn(grad, __fmul_rn(theta, invVar))));
}

// A: theta + halfStep p (StepMath.drift).
__host__ __device__ __forceinline__ float uld_drift_one(float theta, float p, float halfStep) {
    return __fadd_rn(theta, __fmul_rn(halfStep, p));
}

// O: decay p + noise xi (StepMath.refresh).
__host__ __device__ __forceinline__ float uld_refresh_one(float p, float decay, float noise, float xi) {
    return __fadd_rn(__fmul_rn(decay, p), __fmul_rn(noise, xi));
}
