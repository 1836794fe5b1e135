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

// The two per-chain formulas of MALA's decision are macros, each argument converted to double: as
// inline functions they compute the same, but nvcc then schedules mala_decide's loads and lays out
// its branch differently, and as macros the kernel compiles to the instructions it always had.

// log of MALA's acceptance ratio, -uNew + uOld - logQReverse + logQForward in that order, where
// logQForward = -log q(theta'|theta) = 1/2 |xi|^2 and logQReverse = -log q(theta|theta') (StepMath.logAcceptance).
#define MALA_LOG_ACCEPTANCE(uNew, uOld, logQForward, logQReverse) \
    (-(double) (uNew) + (double) (uOld) - (double) (logQReverse) + (double) (logQForward))

// Whether the uniform u in (0, 1] accepts: log u < log alpha, false for a NaN log alpha (StepMath.accepts).
#define MALA_ACCEPTS(u, logAlpha) (log((double) (u)) < (double) (logAlpha))
