package org.nnpost.backend.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import java.util.Arrays;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUgraphExec;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasFillMode;

import org.nnpost.backend.Moments;
import org.nnpost.backend.PackedBackend;
import org.nnpost.backend.Packing;
import org.nnpost.backend.StepConstants;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Traces;
import org.nnpost.backend.Underdamping;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.rng.Noise;

/**
 * The GPU backend: the arithmetic of {@link org.nnpost.backend.cpu.CpuBackend}, for all chains at
 * once. cuBLAS does the products with weights (layer 1 as one GEMM over every chain, since X is
 * shared; deeper layers as strided-batched GEMMs); kernels in src/main/cuda do the rest, fused:
 * the readout's forward and backward passes with φ and φ′, the loss and per-chain divergence
 * flags, the Langevin update with its prior term and in-register Philox noise (or noise cuRAND
 * drew into a buffer, {@link CudaOptions#curand}), the observables' reductions. Everything is
 * queued on one stream and nothing comes back to the host during a step, so {@link #repeat}
 * records one step as a CUDA graph and replays it (not with cuRAND, see {@link CurandNoise}).
 *
 * <pre>
 *   gradient():  z¹ = c₀ W¹ X                                  one GEMM, (C·N × N0)(N0 × P)
 *                hˡ = φ(zˡ⁻¹), zˡ = cₗ Wˡ hˡ  (l < L)           apply_phi + batched GEMMs
 *                f = c_L a φ(z^L)                               readout_forward
 *                ‖θ_g‖², loss, U, δ = β(f − y), flags            sum_squares, loss_and_delta
 *                ∇a = c_L δ φ(z^L)ᵀ, δ^L = c_L (aᵀδ) ⊙ φ′(z^L)   readout_backward (δ^L overwrites z^L)
 *                ∇Wˡ = cₗ δˡ hˡᵀ, δˡ⁻¹ = cₗ (Wˡᵀ δˡ) ⊙ φ′        batched GEMMs + times_phi_prime
 *                ∇W¹ = c₀ δ¹ Xᵀ                                 one GEMM, (C·N × P)(P × N0)
 *   move():      θ ← θ − η(∇ + θ/σ²) + √(2η) ξ per group         langevin_update
 *   save():      θ, ∇ and the traces copied aside                 device-to-device copies
 *   metropolis(): −log q(θ|θ′), accept/reject, restore           mala_reverse, mala_decide, mala_restore
 *   advance():   step += 1 on the device                         advance_step
 * </pre>
 *
 * <p>Packed ({@link Packing}): the GEMMs and the kernels without constants (φ, the readout, the
 * norms, MALA's restore) run once over every chain of every member; the kernels that read a
 * member's constants (loss_and_delta, langevin_update, mala_reverse, mala_decide, uld_*) are
 * launched once per member, with the member's β, 1/σ², targets, limit, step sizes and seed as
 * their arguments and their pointers at the member's first chain, so that chain j of member k
 * is keyed (seed_k, j) as it would be alone. Each member keeps running sums of its own.
 */
public final class CudaBackend implements PackedBackend {
    private final ModelSpec spec;
    private final CudaOptions options;
    private final int chainOffset;
    private final CudaContext ctx;
    private final CudaBuffers buf;
    /** cuRAND's draws, when the options ask for them; null for our own Philox noise. */
    private final CurandNoise curand;
    private final int C, P, Pt, L, G, N, N0, m;
    private final Packing packing;
    /** Per member: its first chain, its chains, its constants, the seed of the state it loaded, its samples summed. */
    private final int[] first, chainsOf, seed;
    private final StepConstants[] constants;
    private final long[] samples;
    private final float[] scale;
    private final int phi;

    /** Every entry point of nnpost.cu this class launches. */
    static final String[] KERNELS = kernelNames();

    private static String[] kernelNames() {
        java.util.List<String> k = new java.util.ArrayList<>(java.util.List.of("langevin_update", "advance_step",
                "sum_squares", "sum_squares_gradient", "loss_and_delta", "apply_phi", "times_phi_prime", "add_symmetric", "add_moments",
                "mala_reverse", "mala_decide", "mala_restore", "uld_baoa", "uld_kick"));
        for (Phi p : Phi.values())
            for (String pass : new String[]{"forward", "backward"}) {
                for (int mm : new int[]{4, Launch.MAX_M}) k.add(readoutKernel(pass, p, mm, 1, false));
                if (pass.equals("forward") && hasVectorReadout(p)) k.add(readoutKernel(pass, p, 4, 4, true));
            }
        return k.toArray(new String[0]);
    }

    /** Four-wide readout forward kernels exist for the cheap nonlinearities (nnpost.cu, READOUT_V4_ENTRIES). */
    static boolean hasVectorReadout(Phi phi) { return phi == Phi.LINEAR || phi == Phi.RELU; }

    /** Whether the readout over n inputs runs four inputs per thread. */
    static boolean vectorReadout(Phi phi, int m, int n, boolean allowed) {
        return allowed && hasVectorReadout(phi) && m <= 4 && n % 4 == 0;
    }

    /**
     * The readout kernels are compiled per φ and per bound on m (nnpost.cu, READOUT_ENTRIES); the
     * forward pass runs four inputs wide where {@link #vectorReadout} says so.
     */
    static String readoutKernel(String pass, Phi phi, int m, int n, boolean allowVector) {
        String base = "readout_" + pass + "_" + phi.id();
        if (pass.equals("forward") && vectorReadout(phi, m, n, allowVector)) return base + "_v4";
        return base + "_m" + (m <= 4 ? 4 : Launch.MAX_M);
    }

    private String readoutKernel(String pass, Phi phi, int n) {
        return readoutKernel(pass, phi, m, n, options.vectorReadout());
    }

    private Launch.Grid readoutForwardGrid(Phi phi, int n) {
        return Launch.readoutForward(vectorReadout(phi, m, n, options.vectorReadout()) ? n / 4 : n, C);
    }

    private long step;           // host mirror of the device counter
    /** The device's sqNorm holds ‖θ_g‖² of the current parameters (an update summed them). */
    private boolean normsFresh;
    /** Called after each part of a gradient pass when set (benchmarks time the parts with it). */
    java.util.function.Consumer<String> profiler;
    /** Whether the loaded state had momenta (underdamped Langevin). */
    private boolean hasMomenta;
    /** Chains left out of the running sums (diverged and dropped by the run). */
    private final boolean[] dropped;
    // a captured step, reused while the same Runnable is repeated on unchanged state
    private CUgraphExec graph;
    private Runnable graphStep;
    private long graphStepsPerRun;

    public CudaBackend(ModelSpec spec, Task task, int chains, CudaOptions options) {
        this(spec, task, chains, options, 0);
    }

    /**
     * @param chainOffset the global index of this backend's first chain: the noise is keyed by it,
     *                    so a run split across devices ({@code SplitBackend}) draws what one would
     */
    public CudaBackend(ModelSpec spec, Task task, int chains, CudaOptions options, int chainOffset) {
        this(spec, task, Packing.single(chains, StepConstants.of(spec, task.train())), options, chainOffset);
    }

    /**
     * The chains of several members that share the network's shape and the inputs, on one device.
     *
     * @param spec the network's shape (any member's); task the inputs every member shares
     */
    public CudaBackend(ModelSpec spec, Task task, Packing packing, CudaOptions options) {
        this(spec, task, packing, options, 0);
    }

    private CudaBackend(ModelSpec spec, Task task, Packing packing, CudaOptions options, int chainOffset) {
        int chains = packing.total();
        if (spec.m() > Launch.MAX_M)
            throw new IllegalArgumentException("the CUDA backend supports at most " + Launch.MAX_M + " outputs, got m = " + spec.m());
        if (chains < 1 || chains > Launch.MAX_CHAINS)
            throw new IllegalArgumentException("the CUDA backend holds 1.." + Launch.MAX_CHAINS + " chains, got " + chains);
        this.spec = spec;
        this.options = options;
        this.chainOffset = chainOffset;
        C = chains;
        dropped = new boolean[chains];
        P = task.train().P();
        Pt = task.test().P();
        L = spec.L();
        G = spec.groups();
        N = spec.N();
        N0 = spec.N0();
        m = spec.m();
        phi = spec.phi().code();
        this.packing = packing;
        int M = packing.members();
        first = new int[M];
        chainsOf = packing.chains();
        seed = new int[M];
        samples = new long[M];
        constants = packing.constants();
        for (int k = 0; k < M; k++) first[k] = packing.first(k);
        if (options.curand() && M > 1) throw new IllegalArgumentException("cuRAND's noise cannot be packed");
        scale = constants[0].scale();
        ctx = CudaContext.open(options);
        CudaBuffers b = null;
        CurandNoise r = null;
        try {
            long free = ctx.memoryInfo()[0];
            MemoryPlan plan = MemoryPlan.of(spec, P, Pt, false, options.curand());
            if (!plan.fits(C, free)) throw new CudaException.TooLarge(plan.tooLarge(C, free));
            b = new CudaBuffers(ctx, spec, task, packing);
            if (options.curand()) {
                long largest = 0;
                for (int g = 0; g < G; g++) largest = Math.max(largest, spec.groupSize(g));
                long perStep = 0;
                for (int g = 0; g < G; g++) perStep += CurandNoise.even((long) C * spec.groupSize(g));
                r = new CurandNoise(ctx, (long) C * largest, C, perStep);
                r.seed(0, 0);
            }
        } catch (RuntimeException e) {
            if (b != null) b.close();
            ctx.close();
            throw e;
        }
        buf = b;
        curand = r;
        for (String k : KERNELS) ctx.kernel(k);   // resolved now, never during a graph capture
        clear();
        resetMoments();
    }

    /** All parameters zero at step 0, until the first {@link #load}. */
    private void clear() {
        for (int g = 0; g < G; g++) ctx.zeroAsync(buf.theta[g], (long) C * spec.groupSize(g) * Sizeof.FLOAT);
        resetCounters(0);
    }

    private void resetCounters(long at) {
        step = at;
        normsFresh = false;
        ctx.upload(buf.step, new long[]{at});
        ctx.fillBytesAsync(buf.divergedAt, (byte) 0xFF, (long) C * Sizeof.LONG);   // −1
        ctx.zeroAsync(buf.accepted, (long) C * Sizeof.LONG);
        ctx.zeroAsync(buf.traces, (long) C * Traces.width(G) * Sizeof.DOUBLE);
        ctx.sync();
    }

    @Override
    public String description() {
        return "cuda " + ctx.device().describe() + (options.tf32() ? ", TF32 GEMMs" : ", FP32")
                + (curand != null ? ", noise from cuRAND (Philox4_32_10, host API)" : ", noise from nnpost's Philox4x32-10");
    }

    public DeviceInfo device() { return ctx.device(); }

    @Override public ModelSpec spec() { return spec; }
    @Override public Packing packing() { return packing; }
    @Override public int chains() { return C; }
    @Override public long step() { return step; }

    // ---------------------------------------------------------------- state

    @Override
    public void load(int k, ChainState s) {
        int n = chainsOf[k], f = first[k];
        if (s.chains() != n) throw new IllegalArgumentException("state has " + s.chains() + " chains, backend " + n);
        ctx.makeCurrent();
        dropGraph();
        for (int g = 0; g < G; g++)
            ctx.upload(buf.theta[g].withByteOffset((long) f * spec.groupSize(g) * Sizeof.FLOAT), s.params()[g]);
        hasMomenta = s.momenta() != null;
        if (hasMomenta) {
            buf.ensureMomenta();
            for (int g = 0; g < G; g++)
                ctx.upload(buf.momenta[g].withByteOffset((long) f * spec.groupSize(g) * Sizeof.FLOAT), s.momenta()[g]);
        }
        seed[k] = s.seed();
        if (curand != null) curand.seed(s.seed(), s.step());
        step = s.step();
        normsFresh = false;
        ctx.upload(buf.step, new long[]{step});
        ctx.fillBytesAsync(buf.divergedAt.withByteOffset((long) f * Sizeof.LONG), (byte) 0xFF, (long) n * Sizeof.LONG);   // −1
        ctx.zeroAsync(buf.accepted.withByteOffset((long) f * Sizeof.LONG), (long) n * Sizeof.LONG);
        ctx.zeroAsync(buf.traces.withByteOffset((long) f * Traces.width(G) * Sizeof.DOUBLE), (long) n * Traces.width(G) * Sizeof.DOUBLE);
        ctx.sync();
        Arrays.fill(dropped, f, f + n, false);
    }

    @Override
    public ChainState snapshot(int k) {
        ctx.makeCurrent();
        int n = chainsOf[k], f = first[k];
        float[][] p = new float[G][];
        for (int g = 0; g < G; g++) {
            p[g] = new float[n * spec.groupSize(g)];
            ctx.download(p[g], buf.theta[g], (long) f * spec.groupSize(g) * Sizeof.FLOAT);
        }
        float[][] mom = null;
        if (hasMomenta) {
            mom = new float[G][];
            for (int g = 0; g < G; g++) {
                mom[g] = new float[n * spec.groupSize(g)];
                ctx.download(mom[g], buf.momenta[g], (long) f * spec.groupSize(g) * Sizeof.FLOAT);
            }
        }
        return new ChainState(n, seed[k], step, p, mom);
    }

    /** p moved to chain c of a buffer with {@code perChain} elements of {@code bytes} bytes per chain. */
    private static CUdeviceptr at(CUdeviceptr p, int c, long perChain, int bytes) {
        return p.withByteOffset((long) c * perChain * bytes);
    }

    /** Member k's 1/σ² of group g. */
    private float invVar(int k, int g) { return constants[k].invVar(g); }

    // ---------------------------------------------------------------- forward and backward

    /** Hidden layers on the training inputs: z[l] = c_l W^(l+1) h^l, keeping h for the GEMMs of the backward pass. */
    private void forwardHidden() {
        for (int g = 0; g < L; g++) {
            if (g == 0) layerOneForward(buf.xT, buf.x, P, buf.z[0]);
            else {
                ctx.kernel("apply_phi").launch(Launch.elementwise((long) C * N * P), buf.h[g], buf.z[g - 1], (long) C * N * P, phi);
                hiddenForward(g, buf.h[g], P, buf.z[g]);
            }
        }
    }

    @Override
    public void gradient() {
        ctx.makeCurrent();
        forwardHidden();
        mark("forward hidden (GEMM)");
        CUdeviceptr last = L == 0 ? buf.xT : buf.z[L - 1];
        long lastStride = L == 0 ? 0 : (long) N * P;
        int lastWidth = spec.lastWidth();
        Phi lastPhi = L == 0 ? Phi.LINEAR : spec.phi();
        ctx.kernel(readoutKernel("forward", lastPhi, P)).launch(readoutForwardGrid(lastPhi, P),
                last, lastStride, buf.theta[L], buf.f, lastWidth, P, m, scale[L]);
        mark("readout forward");
        if (!normsFresh)
            for (int g = 0; g < G; g++)
                ctx.kernel("sum_squares").launch(Launch.perChain(C), buf.theta[g], spec.groupSize(g), sqNorm(g));
        for (int k = 0; k < packing.members(); k++) {
            int f = first[k];
            ctx.kernel("loss_and_delta").launch(Launch.perChain(chainsOf[k]), at(buf.f, f, (long) m * P, Sizeof.FLOAT),
                    at(buf.yT, k, (long) m * P, Sizeof.FLOAT), at(buf.delta, f, (long) m * P, Sizeof.FLOAT), m * P,
                    constants[k].betaFloat(), constants[k].beta(), at(buf.invVar, k, G, Sizeof.FLOAT), G,
                    at(buf.sqNorm, f, 1, Sizeof.DOUBLE), C, at(buf.traces, f, Traces.width(G), Sizeof.DOUBLE),
                    constants[k].divergenceLimit(), buf.step, at(buf.divergedAt, f, 1, Sizeof.LONG));
        }
        mark("norms, loss");
        // readout: ∇a, and δ of the last hidden layer written over its preactivations
        ctx.kernel(readoutKernel("backward", lastPhi, P)).launch(Launch.readoutBackward(lastWidth, C),
                last, lastStride, buf.theta[L], buf.delta, buf.grad[L], lastWidth, P, m, scale[L], L == 0 ? 0 : 1, C);
        mark("readout backward");
        for (int g = L - 1; g >= 0; g--) {
            CUdeviceptr deltaG = buf.z[g];            // δ of layer g+1's output, N × P per chain
            if (g == 0) {
                // ∇W¹ (C·N × N0) = c₀ δ¹_all (C·N × P) · X (P × N0), one GEMM for every chain;
                // column-major (N0 × C·N) = Xᵀ (N0 × P) · δᵀ (P × C·N). Measured on an H200 at
                // N = P = 500, N0 = 520, C = 1024: "TN" 1.39 ms vs "NN" 1.63 ms in TF32, but
                // 6.72 ms vs 6.54 ms in FP32, so FP32 keeps "NN" here.
                if (options.transposedGemms() && options.tf32())
                    sgemm(CUBLAS_OP_T, CUBLAS_OP_N, N0, C * N, P, scale[0], buf.xT, P, deltaG, P, buf.grad[0], N0);
                else
                    sgemm(CUBLAS_OP_N, CUBLAS_OP_N, N0, C * N, P, scale[0], buf.x, N0, deltaG, P, buf.grad[0], N0);
                mark("layer-1 weight gradient (GEMM)");
            } else {
                // ∇Wᵍ⁺¹ = c δ hᵀ per chain; column-major: (in × out) = Hᵀ (in × P) · Δ (P × out)
                sgemmBatched(CUBLAS_OP_T, CUBLAS_OP_N, N, N, P, scale[g], buf.h[g], P, (long) N * P,
                        deltaG, P, (long) N * P, buf.grad[g], N, (long) N * N);
                // d = c Wᵀ δ per chain; column-major (P × in) = Δ (P × out) · Wᵀ (out × in)
                sgemmBatched(CUBLAS_OP_N, CUBLAS_OP_T, P, N, N, scale[g], deltaG, P, (long) N * P,
                        buf.theta[g], N, (long) N * N, buf.d, P, (long) N * P);
                ctx.kernel("times_phi_prime").launch(Launch.elementwise((long) C * N * P), buf.z[g - 1], buf.d, (long) C * N * P, phi);
                mark("hidden layer backward (GEMMs)");
            }
        }
    }

    private CUdeviceptr sqNorm(int g) { return buf.sqNorm.withByteOffset((long) g * C * Sizeof.DOUBLE); }

    private void mark(String part) {
        if (profiler != null) profiler.accept(part);
    }

    /**
     * z (C·N × n) = c₀ W¹_all (C·N × N0) · Xᵀ (N0 × n): layer 1 for every chain in one GEMM.
     * Column-major, cuBLAS computes zᵀ (n × C·N) = X (n × N0) · W¹ᵀ (N0 × C·N); with
     * {@link CudaOptions#transposedGemms} X is read as the transpose of its row-major copy ("TN"),
     * measured faster on an H200 (FP32 5.40 vs 5.66 ms, TF32 0.99 vs 1.58 ms at the benchmark size).
     */
    private void layerOneForward(CUdeviceptr inputT, CUdeviceptr inputRows, int n, CUdeviceptr out) {
        if (options.transposedGemms() && inputRows != null)
            sgemm(CUBLAS_OP_T, CUBLAS_OP_N, n, C * N, N0, scale[0], inputRows, N0, buf.theta[0], N0, out, n);
        else
            sgemm(CUBLAS_OP_N, CUBLAS_OP_N, n, C * N, N0, scale[0], inputT, n, buf.theta[0], N0, out, n);
    }

    /** z_g = c_g W_g h_g per chain; column-major (n × out) = H (n × in) · Wᵀ (in × out). */
    private void hiddenForward(int g, CUdeviceptr hIn, int n, CUdeviceptr out) {
        sgemmBatched(CUBLAS_OP_N, CUBLAS_OP_N, n, N, N, scale[g], hIn, n, (long) N * n,
                buf.theta[g], N, (long) N * N, out, n, (long) N * n);
    }

    private void sgemm(int ta, int tb, int rows, int cols, int k, float alpha, CUdeviceptr A, int lda,
                       CUdeviceptr B, int ldb, CUdeviceptr Cm, int ldc) {
        CudaException.checkBlas(JCublas2.cublasSgemm(ctx.blas, ta, tb, rows, cols, k, Pointer.to(new float[]{alpha}),
                A, lda, B, ldb, Pointer.to(new float[]{0f}), Cm, ldc), "cublasSgemm");
    }

    private void sgemmBatched(int ta, int tb, int rows, int cols, int k, float alpha, CUdeviceptr A, int lda, long sa,
                              CUdeviceptr B, int ldb, long sb, CUdeviceptr Cm, int ldc, long sc) {
        CudaException.checkBlas(JCublas2.cublasSgemmStridedBatched(ctx.blas, ta, tb, rows, cols, k,
                Pointer.to(new float[]{alpha}), A, lda, sa, B, ldb, sb, Pointer.to(new float[]{0f}), Cm, ldc, sc, C),
                "cublasSgemmStridedBatched");
    }

    // ---------------------------------------------------------------- updates

    @Override
    public void move(StepSizes[] given, boolean proposal) {
        StepSizes[] hs = packing.perMember(given, "step sizes");
        for (StepSizes h : hs) h.checkGroups(G);
        ctx.makeCurrent();
        if (proposal) ctx.zeroAsync(buf.xiSq, (long) C * Sizeof.DOUBLE);
        CUdeviceptr none = new CUdeviceptr();
        ctx.zeroAsync(buf.sqNorm, (long) G * C * Sizeof.DOUBLE);
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            CUdeviceptr noise = curand == null ? none : curand.normals((long) C * size);
            for (int k = 0; k < hs.length; k++) {
                StepSizes h = hs[k];
                int f = first[k], n = chainsOf[k];
                CUdeviceptr norms = at(sqNorm(g), f, 1, Sizeof.DOUBLE);
                if (!h.moves(g)) {   // held still: only its norm, which the update would have summed
                    ctx.kernel("sum_squares").launch(Launch.perChain(n), at(buf.theta[g], f, size, Sizeof.FLOAT), size, norms);
                    continue;
                }
                ctx.kernel("langevin_update").launch(Launch.update(size, n), at(buf.theta[g], f, size, Sizeof.FLOAT),
                        at(buf.grad[g], f, size, Sizeof.FLOAT), size, h.eta(g), invVar(k, g), h.noiseScale(g), seed[k], g,
                        buf.step, norms, proposal ? at(buf.xiSq, f, 1, Sizeof.DOUBLE) : none,
                        curand == null ? none : at(noise, f, size, Sizeof.FLOAT), chainOffset);
            }
        }
        normsFresh = true;
        mark("update");
    }

    @Override
    public void baoa(Underdamping[] given) {
        Underdamping[] us = packing.perMember(given, "underdamping constants");
        for (Underdamping u : us) u.checkGroups(G);
        if (!hasMomenta) throw new IllegalStateException("underdamped Langevin needs momenta: load a state that has them");
        ctx.makeCurrent();
        CUdeviceptr none = new CUdeviceptr();
        ctx.zeroAsync(buf.sqNorm, (long) G * C * Sizeof.DOUBLE);
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            CUdeviceptr noise = curand == null ? none : curand.normals((long) C * size);
            for (int k = 0; k < us.length; k++) {
                Underdamping u = us[k];
                int f = first[k];
                ctx.kernel("uld_baoa").launch(Launch.update(size, chainsOf[k]), at(buf.theta[g], f, size, Sizeof.FLOAT),
                        at(buf.momenta[g], f, size, Sizeof.FLOAT), at(buf.grad[g], f, size, Sizeof.FLOAT), size,
                        u.halfStep(g), invVar(k, g), u.decay(g), u.noise(g), seed[k], Noise.MOMENTUM_GROUP + g, buf.step,
                        at(sqNorm(g), f, 1, Sizeof.DOUBLE), curand == null ? none : at(noise, f, size, Sizeof.FLOAT), chainOffset);
            }
        }
        normsFresh = true;
        mark("baoa");
    }

    @Override
    public void kick(Underdamping[] given) {
        Underdamping[] us = packing.perMember(given, "underdamping constants");
        for (Underdamping u : us) u.checkGroups(G);
        if (!hasMomenta) throw new IllegalStateException("underdamped Langevin needs momenta: load a state that has them");
        ctx.makeCurrent();
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            for (int k = 0; k < us.length; k++) {
                int f = first[k];
                ctx.kernel("uld_kick").launch(Launch.perElement(size, chainsOf[k]), at(buf.momenta[g], f, size, Sizeof.FLOAT),
                        at(buf.theta[g], f, size, Sizeof.FLOAT), at(buf.grad[g], f, size, Sizeof.FLOAT), size,
                        us[k].halfStep(g), invVar(k, g));
            }
        }
        mark("kick");
    }

    @Override
    public void advance() {
        ctx.makeCurrent();
        ctx.kernel("advance_step").launch(new Launch.Grid(1, 1, 32), buf.step);
        step++;
    }

    @Override
    public void save() {
        ctx.makeCurrent();
        buf.ensureMala();
        for (int g = 0; g < G; g++) {
            long bytes = (long) C * spec.groupSize(g) * Sizeof.FLOAT;
            ctx.copyAsync(buf.thetaOld[g], buf.theta[g], bytes);
            ctx.copyAsync(buf.gradOld[g], buf.grad[g], bytes);
        }
        ctx.copyAsync(buf.tracesOld, buf.traces, (long) C * Traces.width(G) * Sizeof.DOUBLE);
    }

    @Override
    public void metropolis(StepSizes[] given) {
        StepSizes[] hs = packing.perMember(given, "step sizes");
        for (StepSizes h : hs) h.checkGroups(G);
        if (buf.thetaOld == null) throw new IllegalStateException("metropolis before save");
        ctx.makeCurrent();
        ctx.zeroAsync(buf.back, (long) C * Sizeof.DOUBLE);
        for (int k = 0; k < hs.length; k++) {
            int f = first[k], n = chainsOf[k];
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g);
                if (hs[k].moves(g)) ctx.kernel("mala_reverse").launch(Launch.perElement(size, n), at(buf.theta[g], f, size, Sizeof.FLOAT),
                        at(buf.thetaOld[g], f, size, Sizeof.FLOAT), at(buf.grad[g], f, size, Sizeof.FLOAT), size, hs[k].eta(g),
                        invVar(k, g), at(buf.back, f, 1, Sizeof.DOUBLE));
            }
        }
        CUdeviceptr uniforms = curand == null ? new CUdeviceptr() : curand.uniforms(C);
        int w = Traces.width(G);
        for (int k = 0; k < hs.length; k++) {
            int f = first[k];
            ctx.kernel("mala_decide").launch(Launch.flat(chainsOf[k]), at(buf.traces, f, w, Sizeof.DOUBLE),
                    at(buf.tracesOld, f, w, Sizeof.DOUBLE), w, at(buf.xiSq, f, 1, Sizeof.DOUBLE), at(buf.back, f, 1, Sizeof.DOUBLE),
                    seed[k], Noise.EXTRA_GROUP, buf.step, at(buf.divergedAt, f, 1, Sizeof.LONG), at(buf.accepted, f, 1, Sizeof.LONG),
                    at(buf.accept, f, 1, Sizeof.INT), chainsOf[k], curand == null ? uniforms : at(uniforms, f, 1, Sizeof.FLOAT),
                    chainOffset);
        }
        for (int g = 0; g < G; g++)
            ctx.kernel("mala_restore").launch(Launch.perElement(spec.groupSize(g), C), buf.theta[g], buf.thetaOld[g],
                    buf.grad[g], buf.gradOld[g], spec.groupSize(g), buf.accept);
        normsFresh = false;   // rejected chains are back at their old parameters; traces were restored
    }

    @Override
    public long[] accepted() {
        ctx.makeCurrent();
        long[] a = new long[C];
        ctx.download(a, buf.accepted);
        return a;
    }

    /**
     * Records one {@code step} as a CUDA graph and replays it n times, with no host work in between.
     * The graph is kept while the same Runnable is repeated on unchanged state (no load). Steps
     * with cuRAND's noise run one by one: a captured draw would repeat itself (see {@link CurandNoise}).
     */
    @Override
    public void repeat(int n, Runnable stepWork) {
        if (n <= 0) return;
        if (!options.graphs() || curand != null || n == 1) {
            for (int i = 0; i < n; i++) stepWork.run();
            return;
        }
        ctx.makeCurrent();
        long before = step;
        if (graph == null || graphStep != stepWork) {
            dropGraph();
            try {
                graph = ctx.capture(stepWork);
            } catch (CudaException e) {
                // a step that needs the host (it reads traces, say) cannot be recorded: run it as it is
                step = before;
                for (int i = 0; i < n; i++) stepWork.run();
                return;
            }
            graphStep = stepWork;
            graphStepsPerRun = step - before;
            step = before;
        }
        for (int i = 0; i < n; i++) ctx.launch(graph);
        step = before + graphStepsPerRun * n;
    }

    private void dropGraph() {
        if (graph != null) {
            ctx.sync();
            CudaContext.destroy(graph);
            graph = null;
            graphStep = null;
        }
    }

    // ---------------------------------------------------------------- observables

    @Override
    public double[][] traces() {
        ctx.makeCurrent();
        int w = Traces.width(G);
        double[] flat = new double[C * w];
        ctx.download(flat, buf.traces);
        double[][] t = new double[C][];
        for (int c = 0; c < C; c++) t[c] = Arrays.copyOfRange(flat, c * w, (c + 1) * w);
        return t;
    }

    @Override
    public double[][] gradientSquares() {
        ctx.makeCurrent();
        buf.ensureGradientSquares();
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            for (int k = 0; k < packing.members(); k++) {
                int f = first[k];
                ctx.kernel("sum_squares_gradient").launch(Launch.perChain(chainsOf[k]), at(buf.theta[g], f, size, Sizeof.FLOAT),
                        at(buf.grad[g], f, size, Sizeof.FLOAT), size, invVar(k, g),
                        buf.gradSq.withByteOffset(((long) g * C + f) * Sizeof.DOUBLE));
            }
        }
        double[] flat = new double[G * C];
        ctx.download(flat, buf.gradSq);
        double[][] s = new double[C][G];
        for (int g = 0; g < G; g++)
            for (int c = 0; c < C; c++) s[c][g] = flat[g * C + c];
        return s;
    }

    @Override
    public long[] divergedAt() {
        ctx.makeCurrent();
        long[] d = new long[C];
        ctx.download(d, buf.divergedAt);
        return d;
    }

    /**
     * A forward pass that keeps activations: afterwards z[l] holds h^(l+1) = φ(z^(l+1)) for every
     * hidden layer and f the outputs (on the training or the test inputs).
     */
    private void forwardActivations(boolean onTest) {
        int n = onTest ? Pt : P;
        CUdeviceptr[] zs = onTest ? buf.zTest : buf.z;
        CUdeviceptr input = onTest ? buf.xTestT : buf.xT, f = onTest ? buf.fTest : buf.f;
        long count = (long) C * N * n;
        for (int g = 0; g < L; g++) {
            if (g == 0) layerOneForward(input, onTest ? null : buf.x, n, zs[0]);
            else hiddenForward(g, zs[g - 1], n, zs[g]);
            ctx.kernel("apply_phi").launch(Launch.elementwise(count), zs[g], zs[g], count, phi);
        }
        CUdeviceptr last = L == 0 ? input : zs[L - 1];
        ctx.kernel(readoutKernel("forward", Phi.LINEAR, n)).launch(readoutForwardGrid(Phi.LINEAR, n), last,
                L == 0 ? 0L : (long) N * n, buf.theta[L], f, spec.lastWidth(), n, m, scale[L]);
    }

    @Override
    public void accumulate() {
        ctx.makeCurrent();
        accumulateOn(false, -1);
        if (Pt > 0) accumulateOn(true, -1);
        for (int k = 0; k < packing.members(); k++) countSamples(k);
    }

    @Override
    public void accumulate(int k) {
        ctx.makeCurrent();
        accumulateOn(false, k);
        if (Pt > 0) accumulateOn(true, k);
        countSamples(k);
    }

    private void countSamples(int k) {
        for (int c = first[k]; c < first[k] + chainsOf[k]; c++) if (!dropped[c]) samples[k]++;
    }

    /** The sums of member {@code only}, or of every member (−1), from one forward pass of every chain. */
    private void accumulateOn(boolean onTest, int only) {
        int n = onTest ? Pt : P;
        forwardActivations(onTest);
        // a dropped chain adds nothing: its activations and outputs are zeroed before the sums
        // (each chain's slice is contiguous), and it is not counted in the samples
        for (int c = 0; c < C; c++) {
            if (!dropped[c]) continue;
            for (int l = 0; l < L; l++)
                ctx.zeroAsync((onTest ? buf.zTest : buf.z)[l].withByteOffset((long) c * N * n * Sizeof.FLOAT), (long) N * n * Sizeof.FLOAT);
            ctx.zeroAsync((onTest ? buf.fTest : buf.f).withByteOffset((long) c * m * n * Sizeof.FLOAT), (long) m * n * Sizeof.FLOAT);
        }
        for (int k = 0; k < packing.members(); k++) {
            if (only >= 0 && k != only) continue;
            int f = first[k], cn = chainsOf[k];
            ctx.setTensorMath(false);
            try {
                for (int l = 0; l < L; l++) {
                    // K = (1/N) H_allᵀ H_all: one syrk over all the member's neurons (k = C·N)
                    CUdeviceptr hAll = at((onTest ? buf.zTest : buf.z)[l], f, (long) N * n, Sizeof.FLOAT);
                    CudaException.checkBlas(JCublas2.cublasSsyrk(ctx.blas, cublasFillMode.CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                            n, cn * N, Pointer.to(new float[]{1f / N}), hAll, n, Pointer.to(new float[]{0f}),
                            buf.kernelScratch, n), "cublasSsyrk");
                    ctx.kernel("add_symmetric").launch(Launch.flat((long) n * n), (onTest ? buf.kTest : buf.kTrain)[k][l],
                            buf.kernelScratch, n);
                }
            } finally {
                ctx.setTensorMath(options.tf32());
            }
            ctx.kernel("add_moments").launch(Launch.flat((long) n * m), (onTest ? buf.fTestSum : buf.fTrainSum)[k],
                    (onTest ? buf.fTestSq : buf.fTrainSq)[k], at(onTest ? buf.fTest : buf.f, f, (long) m * n, Sizeof.FLOAT), cn, n, m);
        }
    }

    @Override
    public Moments moments(int k) {
        ctx.makeCurrent();
        double[][] kt = new double[L][], ke = new double[L][];
        for (int l = 0; l < L; l++) {
            kt[l] = new double[P * P];
            ctx.download(kt[l], buf.kTrain[k][l]);
            ke[l] = new double[Pt * Pt];
            if (Pt > 0) ctx.download(ke[l], buf.kTest[k][l]);
        }
        double[] fs = new double[P * m], fq = new double[P * m], ts = new double[Pt * m], tq = new double[Pt * m];
        ctx.download(fs, buf.fTrainSum[k]);
        ctx.download(fq, buf.fTrainSq[k]);
        if (Pt > 0) {
            ctx.download(ts, buf.fTestSum[k]);
            ctx.download(tq, buf.fTestSq[k]);
        }
        return new Moments(samples[k], kt, ke, fs, fq, ts, tq);
    }

    @Override
    public void resetMoments() {
        for (int k = 0; k < packing.members(); k++) resetMoments(k);
    }

    @Override
    public void resetMoments(int k) {
        ctx.makeCurrent();
        samples[k] = 0;
        for (int l = 0; l < L; l++) {
            ctx.zeroAsync(buf.kTrain[k][l], (long) P * P * Sizeof.DOUBLE);
            ctx.zeroAsync(buf.kTest[k][l], (long) Math.max(Pt, 1) * Math.max(Pt, 1) * Sizeof.DOUBLE);
        }
        ctx.zeroAsync(buf.fTrainSum[k], (long) P * m * Sizeof.DOUBLE);
        ctx.zeroAsync(buf.fTrainSq[k], (long) P * m * Sizeof.DOUBLE);
        ctx.zeroAsync(buf.fTestSum[k], (long) Math.max(Pt, 1) * m * Sizeof.DOUBLE);
        ctx.zeroAsync(buf.fTestSq[k], (long) Math.max(Pt, 1) * m * Sizeof.DOUBLE);
        ctx.sync();
    }

    @Override
    public void restore(int k, Moments sums, long[] acceptedCounts, long[] divergedSteps) {
        int n = chainsOf[k], f = first[k];
        if (acceptedCounts.length != n || divergedSteps.length != n)
            throw new IllegalArgumentException("counts for " + acceptedCounts.length + " chains, backend " + n);
        ctx.makeCurrent();
        samples[k] = sums.samples();
        for (int l = 0; l < L; l++) {
            ctx.upload(buf.kTrain[k][l], sums.kernelTrain()[l]);
            if (Pt > 0) ctx.upload(buf.kTest[k][l], sums.kernelTest()[l]);
        }
        ctx.upload(buf.fTrainSum[k], sums.fTrain());
        ctx.upload(buf.fTrainSq[k], sums.fTrainSq());
        if (Pt > 0) {
            ctx.upload(buf.fTestSum[k], sums.fTest());
            ctx.upload(buf.fTestSq[k], sums.fTestSq());
        }
        ctx.upload(at(buf.accepted, f, 1, Sizeof.LONG), acceptedCounts);
        ctx.upload(at(buf.divergedAt, f, 1, Sizeof.LONG), divergedSteps);
    }

    @Override
    public void drop(int chain) {
        java.util.Objects.checkIndex(chain, C);
        dropped[chain] = true;
    }

    @Override
    public float[] activations(int chain, boolean onTest) {
        int n = onTest ? Pt : P;
        if (L == 0) {
            float[] x = new float[N0 * n];
            ctx.makeCurrent();
            if (n > 0) ctx.download(x, onTest ? buf.xTestT : buf.xT, 0);
            return x;
        }
        ctx.makeCurrent();
        float[] h = new float[N * n];
        if (n == 0) return h;
        forwardActivations(onTest);
        ctx.download(h, (onTest ? buf.zTest : buf.z)[L - 1], (long) chain * N * n * Sizeof.FLOAT);
        return h;
    }

    /** The likelihood gradient of the last {@link #gradient()}, group g, all chains (tests). */
    public float[] likelihoodGradient(int g) {
        ctx.makeCurrent();
        float[] out = new float[C * spec.groupSize(g)];
        ctx.download(out, buf.grad[g], 0);
        return out;
    }

    /** Waits for queued work (benchmarks time with it). */
    public void synchronize() {
        ctx.makeCurrent();
        ctx.sync();
    }

    @Override
    public void close() {
        ctx.makeCurrent();
        dropGraph();
        if (curand != null) curand.close();
        buf.close();
        ctx.close();
    }
}
