// The kernels of org.nnpost.backend.cuda.CudaBackend. Each one does, for all chains at once,
// what org.nnpost.backend.cpu.CpuBackend does for one chain in the loop named beside it.
// Layouts are the CPU backend's: parameters [chain][out][in] per group, activations and
// preactivations neuron-major [chain][neuron][input], outputs [chain][r][input].
// Per-chain quantities (traces) are double rows [chain][U, loss, |theta_0|^2, ..., |theta_L|^2].
#include <stdint.h>
#include "philox.cuh"
#include "phi.cuh"

#define WARP 32

__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
    for (int o = WARP / 2; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

__device__ __forceinline__ float warp_sum_f(float v) {
#pragma unroll
    for (int o = WARP / 2; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    return v;
}

// Sum of v over the block (blockDim.x a multiple of 32, at most 1024); the result is valid in thread 0.
__device__ double block_sum(double v) {
    __shared__ double partial[32];
    int lane = threadIdx.x & (WARP - 1), warp = threadIdx.x / WARP;
    v = warp_sum(v);
    __syncthreads();   // partial[] may still be read by a previous call
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    int nw = blockDim.x / WARP;
    v = threadIdx.x < nw ? partial[threadIdx.x] : 0.0;
    if (warp == 0) v = warp_sum(v);
    return v;
}

// theta <- theta - eta (grad + theta / sigma^2) + sqrt(2 eta) xi   (CpuBackend.updateGroup)
// grid (ceil(ceil(size/4) / blockDim), chains); thread j owns elements 4j..4j+3 of its chain, the
// four normals of Philox block j. xiSq, when not null, gets 1/2 |xi|^2 per chain (MALA's forward
// proposal density).
extern "C" __global__ void langevin_update(float* theta, const float* grad, int size, float eta, float invVar,
                                           float noiseScale, uint32_t seed, int group,
                                           const long long* step, double* xiSq) {
    int chain = blockIdx.y;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i0 = 4 * j;
    double xi2 = 0.0;
    if (i0 < size) {
        float4 xi = normals4(seed, (uint32_t) chain, *step, (uint32_t) group, (uint32_t) j);
        float n[4] = {xi.x, xi.y, xi.z, xi.w};
        size_t off = (size_t) chain * size + i0;
        int cnt = min(4, size - i0);
        for (int k = 0; k < cnt; k++) {
            float t = theta[off + k], g = grad[off + k];
            // (t - eta (g + t iv)) + s n, rounded step by step as Java does
            float upd = __fmul_rn(eta, __fadd_rn(g, __fmul_rn(t, invVar)));
            theta[off + k] = __fadd_rn(__fsub_rn(t, upd), __fmul_rn(noiseScale, n[k]));
            xi2 += (double) n[k] * n[k];
        }
    }
    if (xiSq != nullptr) {
        xi2 = warp_sum(xi2);
        if ((threadIdx.x & (WARP - 1)) == 0 && xi2 != 0.0) atomicAdd(&xiSq[chain], 0.5 * xi2);
    }
}

// The step counter lives on the device so that a captured step can be replayed.
extern "C" __global__ void advance_step(long long* step) {
    if (threadIdx.x == 0 && blockIdx.x == 0) *step += 1;
}

// traces[chain][col] = |theta_chain|^2 (Blas.sumSquares); one block per chain.
extern "C" __global__ void sum_squares(const float* theta, int size, double* traces, int stride, int col) {
    int chain = blockIdx.x;
    const float* t = theta + (size_t) chain * size;
    double s = 0.0;
    for (int i = threadIdx.x; i < size; i += blockDim.x) {
        double v = t[i];
        s += v * v;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) traces[(size_t) chain * stride + col] = s;
}

#define MAX_M 16

// f[c][r][mu] = scale * sum_i a[c][r][i] phi(h[c][i][mu])   (the readout's forward pass, CpuBackend.forward, g = L)
// h has chain stride hStride (0 when all chains read the same input, L = 0); grid (ceil(n / blockDim), chains).
extern "C" __global__ void readout_forward(const float* h, long long hStride, const float* a, float* f, int nIn,
                                           int n, int m, float scale, int phi) {
    int chain = blockIdx.y;
    int mu = blockIdx.x * blockDim.x + threadIdx.x;
    if (mu >= n) return;
    const float* hc = h + (size_t) chain * hStride + mu;
    const float* ac = a + (size_t) chain * m * nIn;
    float acc[MAX_M];
#pragma unroll
    for (int r = 0; r < MAX_M; r++) acc[r] = 0.0f;
    for (int i = 0; i < nIn; i++) {
        float v = phi_value(phi, hc[(size_t) i * n]);
#pragma unroll
        for (int r = 0; r < MAX_M; r++)
            if (r < m) acc[r] += __ldg(&ac[(size_t) r * nIn + i]) * v;
    }
    float* fc = f + (size_t) chain * m * n + mu;
#pragma unroll
    for (int r = 0; r < MAX_M; r++)
        if (r < m) fc[(size_t) r * n] = scale * acc[r];
}

// delta = beta (f - y); loss = 1/2 |f - y|^2; U = beta loss + sum_g |theta_g|^2 / (2 sigma_g^2);
// a chain whose U is not finite or above the limit is flagged at the current step
// (CpuBackend.gradientChain). One block per chain; reads the norms sum_squares wrote.
extern "C" __global__ void loss_and_delta(const float* f, const float* yT, float* delta, int mn, float betaF,
                                          double beta, const float* invVar, int G, double* traces,
                                          double limit, const long long* step, long long* divergedAt) {
    int chain = blockIdx.x;
    const float* fc = f + (size_t) chain * mn;
    float* dc = delta + (size_t) chain * mn;
    double e = 0.0;
    for (int k = threadIdx.x; k < mn; k += blockDim.x) {
        float r = fc[k] - yT[k];
        e += (double) r * r;
        dc[k] = betaF * r;
    }
    e = block_sum(e);
    if (threadIdx.x == 0) {
        e *= 0.5;
        double* tr = traces + (size_t) chain * (2 + G);
        double u = beta * e;
        for (int g = 0; g < G; g++) u += 0.5 * tr[2 + g] * (double) invVar[g];
        tr[0] = u;
        tr[1] = e;
        if (divergedAt[chain] < 0 && !(u <= limit)) divergedAt[chain] = *step;
    }
}

// The readout's backward pass, one warp per row (chain, i) of the last hidden layer:
//   gradA[c][r][i] = scale * sum_mu delta[c][r][mu] phi(z[c][i][mu])
//   z[c][i][mu]   <- (sum_r scale a[c][r][i] delta[c][r][mu]) * phi'(z[c][i][mu])   when writeDelta
// so the preactivations are overwritten by the next layer's delta in place. For L = 0 z is the
// shared input (zStride 0, phi linear, writeDelta 0).
extern "C" __global__ void readout_backward(float* z, long long zStride, const float* a, const float* delta,
                                            float* gradA, int nIn, int n, int m, float scale, int phi,
                                            int writeDelta, int chains) {
    long long row = ((long long) blockIdx.x * blockDim.x + threadIdx.x) / WARP;
    int lane = threadIdx.x & (WARP - 1);
    if (row >= (long long) chains * nIn) return;
    int chain = (int) (row / nIn), i = (int) (row % nIn);
    float* zr = z + (size_t) chain * zStride + (size_t) i * n;
    const float* dc = delta + (size_t) chain * m * n;
    const float* ac = a + (size_t) chain * m * nIn + i;
    float sa[MAX_M], acc[MAX_M];
#pragma unroll
    for (int r = 0; r < MAX_M; r++) {
        sa[r] = r < m ? scale * ac[(size_t) r * nIn] : 0.0f;
        acc[r] = 0.0f;
    }
    for (int mu = lane; mu < n; mu += WARP) {
        float zv = zr[mu];
        float h = phi_value(phi, zv);
        float back = 0.0f;
#pragma unroll
        for (int r = 0; r < MAX_M; r++)
            if (r < m) {
                float d = dc[(size_t) r * n + mu];
                acc[r] += d * h;
                back += sa[r] * d;
            }
        if (writeDelta) zr[mu] = back * phi_derivative(phi, zv);
    }
#pragma unroll
    for (int r = 0; r < MAX_M; r++)
        if (r < m) {
            float s = warp_sum_f(acc[r]);
            if (lane == 0) gradA[((size_t) chain * m + r) * nIn + i] = scale * s;
        }
}

// out = phi(z), elementwise (out may be z).
extern "C" __global__ void apply_phi(float* out, const float* z, long long count, int phi) {
    for (long long k = (long long) blockIdx.x * blockDim.x + threadIdx.x; k < count;
         k += (long long) gridDim.x * blockDim.x)
        out[k] = phi_value(phi, z[k]);
}

// z <- d * phi'(z): a hidden layer's delta from the back-propagated product (CpuBackend: prev *= phi'(z)).
extern "C" __global__ void times_phi_prime(float* z, const float* d, long long count, int phi) {
    for (long long k = (long long) blockIdx.x * blockDim.x + threadIdx.x; k < count;
         k += (long long) gridDim.x * blockDim.x)
        z[k] = d[k] * phi_derivative(phi, z[k]);
}

// acc[mu][nu] += K(mu, nu) from a lower-triangular column-major syrk result.
extern "C" __global__ void add_symmetric(double* acc, const float* K, int n) {
    long long k = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= (long long) n * n) return;
    int mu = (int) (k / n), nu = (int) (k % n);
    int lo = min(mu, nu), hi = max(mu, nu);
    acc[k] += (double) K[(size_t) lo * n + hi];
}

// sum[mu][r] += sum_c f[c][r][mu], sq[mu][r] += sum_c f^2 (CpuBackend.addMoments), chains in order.
extern "C" __global__ void add_moments(double* sum, double* sq, const float* f, int chains, int n, int m) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= n * m) return;
    int r = k / n, mu = k % n;
    double s = 0.0, s2 = 0.0;
    for (int c = 0; c < chains; c++) {
        double v = f[((size_t) c * m + r) * n + mu];
        s += v;
        s2 += v * v;
    }
    sum[mu * m + r] += s;
    sq[mu * m + r] += s2;
}

// MALA's reverse proposal term: back[c] += |old - theta + eta (grad + theta / sigma^2)|^2 / (4 eta)
// (CpuBackend.metropolis), in double. Grid (ceil(size / blockDim), chains).
extern "C" __global__ void mala_reverse(const float* theta, const float* old, const float* grad, int size,
                                        float eta, float invVar, double* back) {
    int chain = blockIdx.y;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    double s = 0.0;
    if (i < size) {
        size_t k = (size_t) chain * size + i;
        double full = (double) grad[k] + (double) theta[k] * (double) invVar;
        double d = (double) old[k] - (double) theta[k] + (double) eta * full;
        s = d * d;
    }
    s = warp_sum(s);
    if ((threadIdx.x & (WARP - 1)) == 0 && s != 0.0) atomicAdd(&back[chain], s / (4.0 * (double) eta));
}

// Per chain: accept with probability min(1, exp(logAlpha)); on rejection restore the traces and
// forgive a divergence flagged at this step. accept[c] tells mala_restore what to do.
extern "C" __global__ void mala_decide(double* traces, const double* tracesOld, int stride, const double* xiSq,
                                       const double* back, uint32_t seed, int extraGroup, const long long* step,
                                       long long* divergedAt, long long* accepted, int* accept, int chains) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= chains) return;
    double* tr = traces + (size_t) c * stride;
    const double* old = tracesOld + (size_t) c * stride;
    double logAlpha = -tr[0] + old[0] - back[c] + xiSq[c];
    double u = uniform01(seed, (uint32_t) c, *step, (uint32_t) extraGroup);
    if (log(u) < logAlpha) {
        accepted[c] += 1;
        accept[c] = 1;
    } else {
        accept[c] = 0;
        for (int k = 0; k < stride; k++) tr[k] = old[k];
        if (divergedAt[c] == *step) divergedAt[c] = -1;
    }
}

// Rejected chains get back their saved parameters and gradient. Grid (ceil(size / blockDim), chains).
extern "C" __global__ void mala_restore(float* theta, const float* old, float* grad, const float* gradOld,
                                        int size, const int* accept) {
    int chain = blockIdx.y;
    if (accept[chain]) return;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= size) return;
    size_t k = (size_t) chain * size + i;
    theta[k] = old[k];
    grad[k] = gradOld[k];
}
