// The kernels of org.nnpost.backend.cuda.CudaBackend. Each one does, for all chains at once,
// what org.nnpost.backend.cpu.CpuBackend does for one chain in the loop named beside it.
// Layouts are the CPU backend's: parameters [chain][out][in] per group, activations and
// preactivations neuron-major [chain][neuron][input], outputs [chain][r][input].
// Per-chain quantities (traces) are double rows [chain][U, loss, |theta_0|^2, ..., |theta_L|^2]
// (columns TRACE_POTENTIAL, TRACE_LOSS, TRACE_SQNORM0 + g of langevin.cuh).
#include <stdint.h>
#include "philox.cuh"
#include "phi.cuh"
#include "langevin.cuh"

#define WARP 32
#define MAX_M 16

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

// theta <- theta - eta (grad + theta / sigma^2) + sqrt(2 eta) xi   (CpuBackend.updateGroup, langevin_one)
// grid (ceil(ceil(size/4) / blockDim), chains); thread j owns elements 4j..4j+3 of its chain, the
// four normals of Philox block j. The new |theta|^2 of each chain is summed into sqNorm[chain]
// (zeroed before), so the next gradient pass need not read the parameters again. xiSq, when not
// null, gets 1/2 |xi|^2 per chain (MALA's forward proposal density). noise, when not null, holds
// the normals [chain][size] drawn by cuRAND for this group (the curand choice of CudaOptions),
// read in place of the in-register Philox ones.

// chainOffset: the global index of this backend's first chain, which keys the noise, so chains
// split across devices draw what one device would.
extern "C" __global__ void langevin_update(float* theta, const float* grad, int size, float eta, float invVar,
                                           float noiseScale, uint32_t seed, int group,
                                           const long long* step, double* sqNorm, double* xiSq,
                                           const float* noise, int chainOffset) {
    int chain = blockIdx.y;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i0 = 4 * j;
    double xi2 = 0.0, t2 = 0.0;
    if (i0 < size) {
        size_t off = (size_t) chain * size + i0;
        float4 xi;
        if (noise == nullptr) xi = normals4(seed, (uint32_t) (chain + chainOffset), *step, (uint32_t) group, (uint32_t) j);
        else if ((size & 3) == 0) xi = *reinterpret_cast<const float4*>(noise + off);
        else {
            int cnt = min(4, size - i0);
            xi.x = noise[off];
            xi.y = cnt > 1 ? noise[off + 1] : 0.0f;
            xi.z = cnt > 2 ? noise[off + 2] : 0.0f;
            xi.w = cnt > 3 ? noise[off + 3] : 0.0f;
        }
        if ((size & 3) == 0) {
            float4 t = *reinterpret_cast<const float4*>(theta + off);
            float4 g = *reinterpret_cast<const float4*>(grad + off);
            t.x = langevin_one(t.x, g.x, eta, invVar, noiseScale, xi.x);
            t.y = langevin_one(t.y, g.y, eta, invVar, noiseScale, xi.y);
            t.z = langevin_one(t.z, g.z, eta, invVar, noiseScale, xi.z);
            t.w = langevin_one(t.w, g.w, eta, invVar, noiseScale, xi.w);
            *reinterpret_cast<float4*>(theta + off) = t;
            t2 = (double) t.x * t.x + (double) t.y * t.y + (double) t.z * t.z + (double) t.w * t.w;
            xi2 = (double) xi.x * xi.x + (double) xi.y * xi.y + (double) xi.z * xi.z + (double) xi.w * xi.w;
        } else {
            float n[4] = {xi.x, xi.y, xi.z, xi.w};
            int cnt = min(4, size - i0);
            for (int k = 0; k < cnt; k++) {
                float t = langevin_one(theta[off + k], grad[off + k], eta, invVar, noiseScale, n[k]);
                theta[off + k] = t;
                t2 += (double) t * t;
                xi2 += (double) n[k] * n[k];
            }
        }
    }
    t2 = block_sum(t2);
    if (threadIdx.x == 0) atomicAdd(&sqNorm[chain], t2);
    if (xiSq != nullptr) {
        xi2 = block_sum(xi2);
        if (threadIdx.x == 0) atomicAdd(&xiSq[chain], 0.5 * xi2);
    }
}

// Underdamped Langevin's B, A, O, A of BAOAB for one group (CpuBackend.baoa; uld_*_one in
// langevin.cuh): p <- p - h/2 (grad + theta / sigma^2), theta <- theta + h/2 p,
// p <- decay p + noise xi, theta <- theta + h/2 p, with xi the normals of group momentumGroup at
// the current step. Grid and noise as langevin_update's; the new |theta|^2 is summed into sqNorm.
extern "C" __global__ void uld_baoa(float* theta, float* p, const float* grad, int size, float halfStep, float invVar,
                                    float decay, float fresh, uint32_t seed, int momentumGroup, const long long* step,
                                    double* sqNorm, const float* noise, int chainOffset) {
    int chain = blockIdx.y;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    int i0 = 4 * j;
    double t2 = 0.0;
    if (i0 < size) {
        size_t off = (size_t) chain * size + i0;
        float4 xi;
        if (noise == nullptr) xi = normals4(seed, (uint32_t) (chain + chainOffset), *step, (uint32_t) momentumGroup, (uint32_t) j);
        else {
            int cnt = min(4, size - i0);
            xi.x = noise[off];
            xi.y = cnt > 1 ? noise[off + 1] : 0.0f;
            xi.z = cnt > 2 ? noise[off + 2] : 0.0f;
            xi.w = cnt > 3 ? noise[off + 3] : 0.0f;
        }
        float n[4] = {xi.x, xi.y, xi.z, xi.w};
        int cnt = min(4, size - i0);
        for (int k = 0; k < cnt; k++) {
            float pk = uld_kick_one(p[off + k], grad[off + k], theta[off + k], halfStep, invVar);
            float t = uld_drift_one(theta[off + k], pk, halfStep);
            pk = uld_refresh_one(pk, decay, fresh, n[k]);
            t = uld_drift_one(t, pk, halfStep);
            theta[off + k] = t;
            p[off + k] = pk;
            t2 += (double) t * t;
        }
    }
    t2 = block_sum(t2);
    if (threadIdx.x == 0) atomicAdd(&sqNorm[chain], t2);
}

// BAOAB's last kick at the new parameters (CpuBackend.kick). Grid (ceil(size / blockDim), chains).
extern "C" __global__ void uld_kick(float* p, const float* theta, const float* grad, int size, float halfStep,
                                    float invVar) {
    int chain = blockIdx.y;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= size) return;
    size_t k = (size_t) chain * size + i;
    p[k] = uld_kick_one(p[k], grad[k], theta[k], halfStep, invVar);
}

// The step counter lives on the device so that a captured step can be replayed.
extern "C" __global__ void advance_step(long long* step) {
    if (threadIdx.x == 0 && blockIdx.x == 0) *step += 1;
}

// sqNorm[chain] = |theta_chain|^2 (CpuBackend.sumSquares), when no update has summed it; one block per chain.
extern "C" __global__ void sum_squares(const float* theta, int size, double* sqNorm) {
    int chain = blockIdx.x;
    const float* t = theta + (size_t) chain * size;
    double s = 0.0;
    for (int i = threadIdx.x; i < size; i += blockDim.x) {
        double v = t[i];
        s += v * v;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) sqNorm[chain] = s;
}

// sqNorm[chain] = |grad_chain + invVar theta_chain|^2, the full gradient of U with its prior term
// (CpuBackend.gradientSquares); one block per chain.
extern "C" __global__ void sum_squares_gradient(const float* theta, const float* grad, int size, float invVar,
                                                double* sqNorm) {
    int chain = blockIdx.x;
    const float* t = theta + (size_t) chain * size;
    const float* g = grad + (size_t) chain * size;
    double s = 0.0;
    for (int i = threadIdx.x; i < size; i += blockDim.x) {
        double v = (double) g[i] + (double) invVar * t[i];
        s += v * v;
    }
    s = block_sum(s);
    if (threadIdx.x == 0) sqNorm[chain] = s;
}

// delta = beta (f - y); loss = 1/2 |f - y|^2; U = beta loss + sum_g |theta_g|^2 / (2 sigma_g^2);
// a chain whose U is not finite or above the limit is flagged at the current step
// (CpuBackend.gradientChain). One block per chain; sqNorm[g * chains + chain] = |theta_g|^2.
extern "C" __global__ void loss_and_delta(const float* f, const float* yT, float* delta, int mn, float betaF,
                                          double beta, const float* invVar, int G, const double* sqNorm, double* traces,
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
        double* tr = traces + (size_t) chain * (TRACE_SQNORM0 + G);
        double u = beta * e;
        for (int g = 0; g < G; g++) {
            double s2 = sqNorm[(size_t) g * gridDim.x + chain];
            tr[TRACE_SQNORM0 + g] = s2;
            u += 0.5 * s2 * (double) invVar[g];
        }
        tr[TRACE_POTENTIAL] = u;
        tr[TRACE_LOSS] = e;
        if (divergedAt[chain] < 0 && !(u <= limit)) divergedAt[chain] = *step;
    }
}

// The readout's kernels are compiled per nonlinearity and per bound MM on m (m <= MM), so that
// ReLU's code carries no double-precision erf and the per-output registers are few; entries are
// named readout_{forward,backward}_<phi>_m<MM>.

// Loads in flight per thread: more for the cheap nonlinearities and small m, where registers allow.
__host__ __device__ constexpr int readout_unroll(int phi, int mm) {
    return mm > 4 ? 1 : (phi == PHI_ERF || phi == PHI_TANH ? 2 : 4);
}

// f[c][r][mu] = scale * sum_i a[c][r][i] phi(h[c][i][mu])   (the readout's forward pass, CpuBackend.forward, g = L)
// h has chain stride hStride (0 when all chains read the same input, L = 0); grid (ceil(n / blockDim), chains).
template <int PHI, int MM>
__device__ void readout_forward_body(const float* h, long long hStride, const float* a, float* f, int nIn,
                                     int n, int m, float scale) {
    int chain = blockIdx.y;
    int mu = blockIdx.x * blockDim.x + threadIdx.x;
    if (mu >= n) return;
    const float* hc = h + (size_t) chain * hStride + mu;
    const float* ac = a + (size_t) chain * m * nIn;
    float acc[MM];
#pragma unroll
    for (int r = 0; r < MM; r++) acc[r] = 0.0f;
#pragma unroll(readout_unroll(PHI, MM))
    for (int i = 0; i < nIn; i++) {
        float v = phi_value(PHI, hc[(size_t) i * n]);
#pragma unroll
        for (int r = 0; r < MM; r++)
            if (r < m) acc[r] += __ldg(&ac[(size_t) r * nIn + i]) * v;
    }
    float* fc = f + (size_t) chain * m * n + mu;
#pragma unroll
    for (int r = 0; r < MM; r++)
        if (r < m) fc[(size_t) r * n] = scale * acc[r];
}

// The readout's backward pass, one warp per row (chain, i) of the last hidden layer:
//   gradA[c][r][i] = scale * sum_mu delta[c][r][mu] phi(z[c][i][mu])
//   z[c][i][mu]   <- (sum_r scale a[c][r][i] delta[c][r][mu]) * phi'(z[c][i][mu])   when writeDelta
// so the preactivations are overwritten by the next layer's delta in place. For L = 0 z is the
// shared input (zStride 0, phi linear, writeDelta 0).
template <int PHI, int MM>
__device__ void readout_backward_body(float* z, long long zStride, const float* a, const float* delta,
                                      float* gradA, int nIn, int n, int m, float scale, int writeDelta, int chains) {
    long long row = ((long long) blockIdx.x * blockDim.x + threadIdx.x) / WARP;
    int lane = threadIdx.x & (WARP - 1);
    if (row >= (long long) chains * nIn) return;
    int chain = (int) (row / nIn), i = (int) (row % nIn);
    float* zr = z + (size_t) chain * zStride + (size_t) i * n;
    const float* dc = delta + (size_t) chain * m * n;
    const float* ac = a + (size_t) chain * m * nIn + i;
    float sa[MM], acc[MM];
#pragma unroll
    for (int r = 0; r < MM; r++) {
        sa[r] = r < m ? scale * ac[(size_t) r * nIn] : 0.0f;
        acc[r] = 0.0f;
    }
#pragma unroll(readout_unroll(PHI, MM))
    for (int mu = lane; mu < n; mu += WARP) {
        float zv = zr[mu];
        float h = phi_value(PHI, zv);
        float back = 0.0f;
#pragma unroll
        for (int r = 0; r < MM; r++)
            if (r < m) {
                float d = dc[(size_t) r * n + mu];
                acc[r] += d * h;
                back += sa[r] * d;
            }
        if (writeDelta) zr[mu] = back * phi_derivative(PHI, zv);
    }
#pragma unroll
    for (int r = 0; r < MM; r++)
        if (r < m) {
            float s = warp_sum_f(acc[r]);
            if (lane == 0) gradA[((size_t) chain * m + r) * nIn + i] = scale * s;
        }
}

#define READOUT_ENTRIES(PHI, NAME, MM)                                                                          \
    extern "C" __global__ void readout_forward_##NAME##_m##MM(const float* h, long long hStride, const float* a, \
                                                              float* f, int nIn, int n, int m, float scale) {     \
        readout_forward_body<PHI, MM>(h, hStride, a, f, nIn, n, m, scale);                                       \
    }                                                                                                             \
    extern "C" __global__ void readout_backward_##NAME##_m##MM(float* z, long long zStride, const float* a,       \
                                                               const float* delta, float* gradA, int nIn, int n,  \
                                                               int m, float scale, int writeDelta, int chains) {  \
        readout_backward_body<PHI, MM>(z, zStride, a, delta, gradA, nIn, n, m, scale, writeDelta, chains);       \
    }

READOUT_ENTRIES(PHI_LINEAR, linear, 4)
READOUT_ENTRIES(PHI_LINEAR, linear, 16)
READOUT_ENTRIES(PHI_ERF, erf, 4)
READOUT_ENTRIES(PHI_ERF, erf, 16)
READOUT_ENTRIES(PHI_RELU, relu, 4)
READOUT_ENTRIES(PHI_RELU, relu, 16)
READOUT_ENTRIES(PHI_TANH, tanh, 4)
READOUT_ENTRIES(PHI_TANH, tanh, 16)

// The forward pass four inputs at a time (float4), for m <= 4 and n a multiple of 4: a quarter of
// the load instructions and four times the bytes in flight per load, which is what this
// memory-bound pass is limited by (on an H200 at N = P = 500, C = 1024: 0.68 -> 0.34 ms). Sums are
// formed in a different order than the scalar kernel (float rounding only). A four-wide backward
// pass was measured slower (1.03 -> 1.72 ms: its registers cost occupancy) and is not kept.
template <int PHI>
__device__ void readout_forward_v4_body(const float* h, long long hStride, const float* a, float* f, int nIn,
                                        int n, int m, float scale) {
    int chain = blockIdx.y;
    int q = blockIdx.x * blockDim.x + threadIdx.x;   // inputs 4q .. 4q+3
    int n4 = n >> 2;
    if (q >= n4) return;
    const float4* hc = reinterpret_cast<const float4*>(h + (size_t) chain * hStride) + q;
    const float* ac = a + (size_t) chain * m * nIn;
    float4 acc[4];
#pragma unroll
    for (int r = 0; r < 4; r++) acc[r] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
#pragma unroll(readout_unroll(PHI, 4))
    for (int i = 0; i < nIn; i++) {
        float4 z = hc[(size_t) i * n4];
        float4 v = make_float4(phi_value(PHI, z.x), phi_value(PHI, z.y), phi_value(PHI, z.z), phi_value(PHI, z.w));
#pragma unroll
        for (int r = 0; r < 4; r++)
            if (r < m) {
                float w = __ldg(&ac[(size_t) r * nIn + i]);
                acc[r].x += w * v.x;
                acc[r].y += w * v.y;
                acc[r].z += w * v.z;
                acc[r].w += w * v.w;
            }
    }
    float4* fc = reinterpret_cast<float4*>(f + (size_t) chain * m * n) + q;
#pragma unroll
    for (int r = 0; r < 4; r++)
        if (r < m) fc[(size_t) r * n4] = make_float4(scale * acc[r].x, scale * acc[r].y, scale * acc[r].z, scale * acc[r].w);
}

#define READOUT_V4_ENTRIES(PHI, NAME)                                                                          \
    extern "C" __global__ void readout_forward_##NAME##_v4(const float* h, long long hStride, const float* a,  \
                                                           float* f, int nIn, int n, int m, float scale) {      \
        readout_forward_v4_body<PHI>(h, hStride, a, f, nIn, n, m, scale);                                      \
    }

// only for the cheap nonlinearities: erf's and tanh's double-precision code would cost the
// four-wide kernels their occupancy
READOUT_V4_ENTRIES(PHI_LINEAR, linear)
READOUT_V4_ENTRIES(PHI_RELU, relu)

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
// (CpuBackend.metropolis), each element's share rounded as on the CPU (mala_reverse_share); the
// shares are summed per warp and the warps' sums added atomically. Grid (ceil(size / blockDim), chains).
extern "C" __global__ void mala_reverse(const float* theta, const float* old, const float* grad, int size,
                                        float eta, float invVar, double* back) {
    int chain = blockIdx.y;
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    double s = 0.0;
    if (i < size) {
        size_t k = (size_t) chain * size + i;
        s = mala_reverse_share(old[k], theta[k], grad[k], eta, invVar);
    }
    s = warp_sum(s);
    if ((threadIdx.x & (WARP - 1)) == 0 && s != 0.0) atomicAdd(&back[chain], mala_reverse_term(s, eta));
}

// Per chain: accept with probability min(1, exp(logAlpha)); on rejection restore the traces and
// forgive a divergence flagged at this step. accept[c] tells mala_restore what to do.
extern "C" __global__ void mala_decide(double* traces, const double* tracesOld, int stride, const double* xiSq,
                                       const double* back, uint32_t seed, int extraGroup, const long long* step,
                                       long long* divergedAt, long long* accepted, int* accept, int chains,
                                       const float* uniforms, int chainOffset) {
    int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= chains) return;
    double* tr = traces + (size_t) c * stride;
    const double* old = tracesOld + (size_t) c * stride;
    double logAlpha = MALA_LOG_ACCEPTANCE(tr[TRACE_POTENTIAL], old[TRACE_POTENTIAL], xiSq[c], back[c]);
    // cuRAND's uniforms lie in (0, 1], as Philox's do, so log(u) is finite
    double u = uniforms != nullptr ? (double) uniforms[c] : uniform01(seed, (uint32_t) (c + chainOffset), *step, (uint32_t) extraGroup);
    if (MALA_ACCEPTS(u, logAlpha)) {
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
