package org.nnpost.backend.cpu;

import java.util.Arrays;
import java.util.Objects;

import org.nnpost.backend.Moments;
import org.nnpost.backend.PackedBackend;
import org.nnpost.backend.Packing;
import org.nnpost.backend.StepConstants;
import org.nnpost.backend.StepMath;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Traces;
import org.nnpost.backend.Underdamping;
import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.rng.Noise;

/**
 * The reference backend: plain Java, float32, chains spread over threads, nothing allocated per
 * step. Activations are kept neuron-major (out × inputs, row-major), the layout of the CUDA
 * backend, so each layer's forward pass is one product z = c · W · h with W stored out × in
 * (SPEC §1, §3), done by a {@link Gemm}: OpenBLAS where it loads, else a Java kernel. Each chain
 * is computed by one thread from start to end, so results do not depend on the thread count:
 *
 * <pre>
 *   z¹ = W¹ X / √N0,  zˡ = Wˡ φ(zˡ⁻¹) / √N,  f = N^(−γ) a φ(z^L)
 *   δ^(L+1) = β (f − Y);  ∇Wˡ = cₗ δˡ φ(zˡ⁻¹)ᵀ;  δˡ⁻¹ = cₗ (Wˡᵀ δˡ) ⊙ φ′(zˡ⁻¹)
 * </pre>
 *
 * <p>The chains may belong to several members ({@link Packing}): each chain then reads its
 * member's constants (β, 1/σ², targets, divergence limit), step sizes and seed, its noise keyed
 * by its index within the member, and each member keeps running sums of its own, reduced in
 * chunks counted from its first chain; so a member's numbers are, bit for bit, those of a
 * backend holding its chains alone.
 */
public final class CpuBackend implements PackedBackend {
    /** Chains whose kernels are reduced together: fixed, so sums do not depend on threads. */
    static final int REDUCE_CHUNK = 16;

    private final ModelSpec spec;
    private final int chainOffset;
    private final int C, P, Pt, L, G;
    private final Dataset train, test;
    private final Packing packing;
    /** Per chain, its member; per member, its first chain, constants, targets m × P, 1/σ² per group, β as a float. */
    private final int[] memberOf, first;
    private final StepConstants[] constants;
    private final float[][] yT, invVar;
    private final float[] betaF;
    private final float[] xT, xTestT;     // inputs N0 × P (N0 × P*)
    private final float[] scale;
    private final ChainPool<Workspace> pool;
    private final CpuGemm.Choice gemm;
    /** The calling thread's GEMM, for the per-chain queries made outside the pool ({@link #activations}). */
    private Gemm callerGemm;

    /** Per member, the seed of the state it loaded. */
    private final int[] seed;
    private long step;
    private final float[][] theta, grad;       // [g][chain·size]
    /** Underdamped Langevin's momenta, [g][chain·size], or null when the loaded state has none. */
    private float[][] momenta;
    private final double[] U, loss;
    private final double[][] sqNorm;            // [g][chain]
    private final long[] divergedAt, accepted;
    /** Chains left out of the running sums (diverged and dropped by the run). */
    private final boolean[] dropped;
    // MALA's saved state, valid once save() has run
    private boolean saved;
    private final float[][] thetaOld, gradOld;
    private final double[] uOld, lossOld, logQForward;
    private final double[][] sqNormOld;

    // running sums, per member
    private final long[] samples;
    private final double[][][] kTrain, kTest;
    private final double[][] fTrain, fTrainSq, fTest, fTestSq;

    /** Per-thread scratch: one forward pass per input set, backward buffers, noise, a GEMM. */
    private final class Workspace {
        final Pass trainPass = new Pass(P), testPass = new Pass(Math.max(Pt, 1));
        final float[] delta, deltaPrev;   // out × P
        final float[] noise;
        final Gemm gemm = CpuBackend.this.gemm.factory().get();

        Workspace() {
            int maxW = Math.max(spec.N0(), Math.max(spec.N(), spec.m()));
            delta = new float[maxW * P];
            deltaPrev = new float[maxW * P];
            int maxG = 0;
            for (int g = 0; g < G; g++) maxG = Math.max(maxG, spec.groupSize(g));
            noise = new float[maxG];
        }
    }

    /** Preactivations and activations of every layer for one chain on n inputs. */
    private final class Pass {
        final int n;
        final float[][] z, h;   // z[g] = output of group g (outDim × n); h[l] = φ(z[l−1]) (N × n), l = 1..L

        Pass(int n) {
            this.n = n;
            z = new float[G][];
            h = new float[L + 1][];
            for (int g = 0; g < G; g++) z[g] = new float[spec.outDim(g) * n];
            for (int l = 1; l <= L; l++) h[l] = new float[spec.N() * n];
        }
    }

    public CpuBackend(ModelSpec spec, Task task, int chains, int threads) {
        this(spec, task, chains, threads, 0);
    }

    /**
     * @param chainOffset the global index of this backend's first chain: the noise is keyed by it,
     *                    so a run split across backends ({@code SplitBackend}) draws what one would
     */
    public CpuBackend(ModelSpec spec, Task task, int chains, int threads, int chainOffset) {
        this(spec, task, chains, threads, chainOffset, CpuGemm.fromEnvironment());
    }

    CpuBackend(ModelSpec spec, Task task, int chains, int threads, int chainOffset, CpuGemm.Choice gemm) {
        this(spec, task, Packing.single(chains, StepConstants.of(spec, task.train())), threads, chainOffset, gemm);
    }

    /**
     * A backend for the chains of several members that share the network's shape and the inputs.
     *
     * @param spec    the network's shape (any member's: the shapes agree)
     * @param task    the inputs every member shares (a member's own targets are in its constants)
     * @param packing the members: their chain counts and constants
     */
    public CpuBackend(ModelSpec spec, Task task, Packing packing, int threads) {
        this(spec, task, packing, threads, 0, CpuGemm.fromEnvironment());
    }

    CpuBackend(ModelSpec spec, Task task, Packing packing, int threads, int chainOffset, CpuGemm.Choice gemm) {
        this.gemm = gemm;
        this.chainOffset = chainOffset;
        this.spec = spec;
        this.packing = packing;
        this.C = packing.total();
        this.train = task.train();
        this.test = task.test();
        this.P = train.P();
        this.Pt = test.P();
        this.L = spec.L();
        this.G = spec.groups();
        this.xT = train.xTransposed();
        this.xTestT = test.xTransposed();
        int M = packing.members();
        memberOf = packing.memberOfChain();
        first = new int[M];
        constants = packing.constants();
        yT = new float[M][];
        invVar = new float[M][];
        betaF = new float[M];
        seed = new int[M];
        for (int k = 0; k < M; k++) {
            first[k] = packing.first(k);
            yT[k] = constants[k].yT();
            invVar[k] = constants[k].invVar();
            betaF[k] = constants[k].betaFloat();
            if (yT[k].length != spec.m() * P || invVar[k].length != G)
                throw new IllegalArgumentException("member " + k + "'s constants are for another network or data");
        }
        this.scale = constants[0].scale();
        theta = new float[G][];
        grad = new float[G][];
        thetaOld = new float[G][];
        gradOld = new float[G][];
        for (int g = 0; g < G; g++) {
            int n = C * spec.groupSize(g);
            theta[g] = new float[n];
            grad[g] = new float[n];
            thetaOld[g] = new float[n];
            gradOld[g] = new float[n];
        }
        U = new double[C];
        loss = new double[C];
        sqNorm = new double[G][C];
        uOld = new double[C];
        lossOld = new double[C];
        logQForward = new double[C];
        sqNormOld = new double[G][C];
        divergedAt = new long[C];
        accepted = new long[C];
        dropped = new boolean[C];
        samples = new long[M];
        kTrain = new double[M][L][P * P];
        kTest = new double[M][L][Pt * Pt];
        fTrain = new double[M][P * spec.m()];
        fTrainSq = new double[M][P * spec.m()];
        fTest = new double[M][Pt * spec.m()];
        fTestSq = new double[M][Pt * spec.m()];
        pool = new ChainPool<>(Math.max(1, threads), t -> new Workspace());
        Arrays.fill(divergedAt, -1);
    }

    @Override public String description() {
        return "cpu (" + Runtime.getRuntime().availableProcessors() + " cores visible, GEMM: " + gemm.name() + ")";
    }
    @Override public ModelSpec spec() { return spec; }
    @Override public Packing packing() { return packing; }
    @Override public int chains() { return C; }
    @Override public long step() { return step; }

    /**
     * Member k's chains from its state. Momenta are all members' or none's: a state with them
     * makes room for every member's (the others' are filled when they load theirs).
     */
    @Override
    public void load(int k, ChainState s) {
        int n = packing.chains(k), f = first[k];
        if (s.chains() != n) throw new IllegalArgumentException("state has " + s.chains() + " chains, backend " + n);
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            System.arraycopy(s.params()[g], 0, theta[g], f * size, n * size);
        }
        if (s.momenta() == null) momenta = null;
        else {
            if (momenta == null || packing.members() == 1) {
                momenta = new float[G][];
                for (int g = 0; g < G; g++) momenta[g] = new float[C * spec.groupSize(g)];
            }
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g);
                System.arraycopy(s.momenta()[g], 0, momenta[g], f * size, n * size);
            }
        }
        seed[k] = s.seed();
        step = s.step();
        Arrays.fill(divergedAt, f, f + n, -1);
        Arrays.fill(accepted, f, f + n, 0);
        Arrays.fill(dropped, f, f + n, false);
    }

    @Override
    public ChainState snapshot(int k) {
        int n = packing.chains(k), f = first[k];
        float[][] p = new float[G][];
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            p[g] = Arrays.copyOfRange(theta[g], f * size, (f + n) * size);
        }
        float[][] m = null;
        if (momenta != null) {
            m = new float[G][];
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g);
                m[g] = Arrays.copyOfRange(momenta[g], f * size, (f + n) * size);
            }
        }
        return new ChainState(n, seed[k], step, p, m);
    }

    // ---------------------------------------------------------------- forward and backward

    /** Forward pass of chain c on the inputs given as N0 × n (n = pass.n). */
    private void forward(int c, Pass pass, float[] inputs, Gemm gemm) {
        int n = pass.n;
        for (int g = 0; g < G; g++) {
            int out = spec.outDim(g), in = spec.inDim(g);
            float[] hin = g == 0 ? inputs : pass.h[g];
            gemm.gemm(false, false, out, n, in, scale[g], theta[g], c * out * in, in, hin, 0, n, pass.z[g], 0, n);
            if (g < L) applyPhi(spec.phi(), pass.z[g], pass.h[g + 1], out * n);
        }
    }

    /**
     * h = φ(z). ReLU and linear get loops of their own, written so that HotSpot vectorises them,
     * and give exactly {@link Phi#value(float)}'s numbers; the smooth φ are dominated by their
     * transcendental function anyway.
     */
    static void applyPhi(Phi phi, float[] z, float[] h, int n) {
        switch (phi) {
            case RELU -> { for (int i = 0; i < n; i++) h[i] = Math.max(z[i], 0f); }
            case LINEAR -> System.arraycopy(z, 0, h, 0, n);
            default -> { for (int i = 0; i < n; i++) h[i] = phi.value(z[i]); }
        }
    }

    /** p ⊙= φ′(z), with the same special cases as {@link #applyPhi} (φ′ = 1 leaves p as it is). */
    static void multiplyByPhiDerivative(Phi phi, float[] p, float[] z, int n) {
        switch (phi) {
            case RELU -> {
                // φ′ as min(max(z·2²⁰⁰, 0), 1): exactly 1 for every z > 0 (the two exact scalings
                // lift even the smallest subnormal past 1), 0 for z ≤ 0, NaN for NaN; min and max
                // vectorise where a branch or a select would not, and the signs of
                // preactivations are coin flips, so a branch would be mispredicted half the time
                for (int i = 0; i < n; i++) p[i] *= Math.min(Math.max(z[i] * 0x1p100f * 0x1p100f, 0f), 1f);
            }
            case LINEAR -> { }
            default -> { for (int i = 0; i < n; i++) p[i] *= phi.derivative(z[i]); }
        }
    }

    @Override
    public void gradient() {
        pool.forChains(0, C, this::gradientChain);
    }

    private void gradientChain(int c, Workspace ws) {
        Pass pass = ws.trainPass;
        Gemm gemm = ws.gemm;
        forward(c, pass, xT, gemm);
        float[] f = pass.z[L], delta = ws.delta, prev = ws.deltaPrev;
        int mem = memberOf[c];
        float[] y = yT[mem], iv = invVar[mem];
        float beta = betaF[mem];
        double e = 0;
        for (int k = 0; k < spec.m() * P; k++) {
            float res = f[k] - y[k];
            e += (double) res * res;
            delta[k] = beta * res;
        }
        e *= 0.5;
        for (int g = L; g >= 0; g--) {
            int out = spec.outDim(g), in = spec.inDim(g), size = out * in;
            // ∇W = c · δ (out × P) · hᵀ, h being in × P
            float[] h = g == 0 ? xT : pass.h[g];
            gemm.gemm(false, true, out, in, P, scale[g], delta, 0, P, h, 0, P, grad[g], c * size, in);
            if (g > 0) {
                // δ below = c · Wᵀ δ ⊙ φ′(z)
                gemm.gemm(true, false, in, P, out, scale[g], theta[g], c * size, in, delta, 0, P, prev, 0, P);
                multiplyByPhiDerivative(spec.phi(), prev, pass.z[g - 1], in * P);
                float[] t = delta; delta = prev; prev = t;
            }
        }
        double u = constants[mem].beta() * e;
        for (int g = 0; g < G; g++) {
            int size = spec.groupSize(g);
            double s = sumSquares(theta[g], c * size, size);
            sqNorm[g][c] = s;
            u += 0.5 * s * iv[g];
        }
        loss[c] = e;
        U[c] = u;
        if (divergedAt[c] < 0 && !(u <= constants[mem].divergenceLimit())) divergedAt[c] = step;
    }

    // ---------------------------------------------------------------- updates

    /** Chain c's index for the noise: within its member, and past the chains of the parts before (a split run). */
    private int noiseChain(int c) { return c - first[memberOf[c]] + chainOffset; }

    @Override
    public void move(StepSizes[] given, boolean proposal) {
        StepSizes[] hs = packing.perMember(given, "step sizes");
        for (StepSizes h : hs) h.checkGroups(G);
        pool.forChains(0, C, (c, ws) -> {
            StepSizes h = hs[memberOf[c]];
            double q = 0;
            for (int g = 0; g < G; g++) if (h.moves(g)) q += updateGroup(c, g, h.eta(g), h.noiseScale(g), ws.noise, proposal);
            if (proposal) logQForward[c] = q;   // −log q(θ′|θ) up to the shared constant: ½‖ξ‖²
        });
    }

    /** θ ← θ − η (∇(βE) + θ/σ²) + s ξ for one chain and group; returns ½‖ξ‖² if asked (MALA), else 0. */
    private double updateGroup(int c, int g, float eta, float s, float[] noise, boolean wantNoiseNorm) {
        int size = spec.groupSize(g), off = c * size;
        Noise.normals(seed[memberOf[c]], noiseChain(c), step, g, noise, 0, size);
        float[] th = theta[g], gr = grad[g];
        float iv = invVar[memberOf[c]][g];
        for (int i = 0; i < size; i++) th[off + i] = StepMath.langevin(th[off + i], gr[off + i], eta, iv, s, noise[i]);
        return wantNoiseNorm ? 0.5 * sumSquares(noise, 0, size) : 0;
    }

    @Override
    public void save() {
        pool.forChains(0, C, (c, ws) -> {
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g), off = c * size;
                System.arraycopy(theta[g], off, thetaOld[g], off, size);
                System.arraycopy(grad[g], off, gradOld[g], off, size);
                sqNormOld[g][c] = sqNorm[g][c];
            }
            uOld[c] = U[c];
            lossOld[c] = loss[c];
        });
        saved = true;
    }

    @Override
    public void metropolis(StepSizes[] given) {
        StepSizes[] hs = packing.perMember(given, "step sizes");
        for (StepSizes h : hs) h.checkGroups(G);
        if (!saved) throw new IllegalStateException("metropolis before save");
        pool.forChains(0, C, (c, ws) -> {
            StepSizes h = hs[memberOf[c]];
            // −log q(θ|θ′) = Σ_g ‖θ − θ′ + η ∇U(θ′)‖² / (4η)
            double back = 0;
            for (int g = 0; g < G; g++) {
                if (!h.moves(g)) continue;   // θ′ = θ there, and its forward term was not counted either
                int size = spec.groupSize(g), off = c * size;
                float[] th = theta[g], old = thetaOld[g], gr = grad[g];
                float e = h.eta(g), iv = invVar[memberOf[c]][g];
                double s = 0;
                for (int i = 0; i < size; i++) s += StepMath.reverseShare(old[off + i], th[off + i], gr[off + i], e, iv);
                back += StepMath.reverseTerm(s, e);
            }
            double logAlpha = StepMath.logAcceptance(U[c], uOld[c], logQForward[c], back);
            double u = Noise.uniform(seed[memberOf[c]], noiseChain(c), step, Noise.EXTRA_GROUP);
            if (StepMath.accepts(u, logAlpha)) {
                accepted[c]++;
            } else {
                for (int g = 0; g < G; g++) {
                    int size = spec.groupSize(g), off = c * size;
                    System.arraycopy(thetaOld[g], off, theta[g], off, size);
                    System.arraycopy(gradOld[g], off, grad[g], off, size);
                    sqNorm[g][c] = sqNormOld[g][c];
                }
                U[c] = uOld[c];
                loss[c] = lossOld[c];
                if (divergedAt[c] == step) divergedAt[c] = -1;   // a rejected blow-up did no harm
            }
        });
    }

    @Override public void advance() { step++; }

    @Override
    public void baoa(Underdamping[] given) {
        Underdamping[] us = packing.perMember(given, "underdamping constants");
        for (Underdamping u : us) u.checkGroups(G);
        if (momenta == null) throw new IllegalStateException("underdamped Langevin needs momenta: load a state that has them");
        pool.forChains(0, C, (c, ws) -> {
            Underdamping u = us[memberOf[c]];
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g), off = c * size;
                Noise.normals(seed[memberOf[c]], noiseChain(c), step, Noise.MOMENTUM_GROUP + g, ws.noise, 0, size);
                float[] th = theta[g], gr = grad[g], p = momenta[g], xi = ws.noise;
                float h2 = u.halfStep(g), iv = invVar[memberOf[c]][g], decay = u.decay(g), fresh = u.noise(g);
                for (int i = 0; i < size; i++) {
                    int k = off + i;
                    float pk = StepMath.kick(p[k], gr[k], th[k], h2, iv);
                    float t = StepMath.drift(th[k], pk, h2);
                    pk = StepMath.refresh(pk, decay, fresh, xi[i]);
                    th[k] = StepMath.drift(t, pk, h2);
                    p[k] = pk;
                }
            }
        });
    }

    @Override
    public void kick(Underdamping[] given) {
        Underdamping[] us = packing.perMember(given, "underdamping constants");
        for (Underdamping u : us) u.checkGroups(G);
        if (momenta == null) throw new IllegalStateException("underdamped Langevin needs momenta: load a state that has them");
        pool.forChains(0, C, (c, ws) -> {
            Underdamping u = us[memberOf[c]];
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g), off = c * size;
                float[] th = theta[g], gr = grad[g], p = momenta[g];
                float h2 = u.halfStep(g), iv = invVar[memberOf[c]][g];
                for (int k = off; k < off + size; k++) p[k] = StepMath.kick(p[k], gr[k], th[k], h2, iv);
            }
        });
    }

    @Override public long[] accepted() { return accepted.clone(); }

    @Override
    public double[][] gradientSquares() {
        double[][] out = new double[C][G];
        pool.forChains(0, C, (c, ws) -> {
            for (int g = 0; g < G; g++) {
                int size = spec.groupSize(g), off = c * size;
                float[] th = theta[g], gr = grad[g];
                double iv = invVar[memberOf[c]][g], s = 0;
                for (int k = off; k < off + size; k++) {
                    double d = gr[k] + iv * th[k];
                    s += d * d;
                }
                out[c][g] = s;
            }
        });
        return out;
    }

    // ---------------------------------------------------------------- observables

    @Override
    public double[][] traces() {
        double[][] t = new double[C][Traces.width(G)];
        for (int c = 0; c < C; c++) {
            t[c][Traces.POTENTIAL] = U[c];
            t[c][Traces.LOSS] = loss[c];
            for (int g = 0; g < G; g++) t[c][Traces.sqNorm(g)] = sqNorm[g][c];
        }
        return t;
    }

    @Override public long[] divergedAt() { return divergedAt.clone(); }

    @Override
    public void accumulate() {
        for (int k = 0; k < packing.members(); k++) accumulate(k);
    }

    @Override
    public void accumulate(int mem) {
        int m = spec.m();
        int from = first[mem], to = from + packing.chains(mem);
        int chunk = Math.min(REDUCE_CHUNK, to - from);
        float[][][] hTr = new float[chunk][][], hTe = new float[chunk][][];
        float[][] fTr = new float[chunk][], fTe = new float[chunk][];
        for (int c0 = from; c0 < to; c0 += chunk) {
            int c1 = Math.min(to, c0 + chunk), base = c0;
            pool.forChains(c0, c1, (c, ws) -> {
                int k = c - base;
                if (dropped[c]) {   // left out: no forward pass, nothing added
                    hTr[k] = hTe[k] = null;
                    fTr[k] = fTe[k] = null;
                    return;
                }
                forward(c, ws.trainPass, xT, ws.gemm);
                hTr[k] = copyHidden(ws.trainPass);
                fTr[k] = ws.trainPass.z[L].clone();
                if (Pt > 0) {
                    forward(c, ws.testPass, xTestT, ws.gemm);
                    hTe[k] = copyHidden(ws.testPass);
                    fTe[k] = ws.testPass.z[L].clone();
                }
            });
            int nc = c1 - c0;
            for (int l = 1; l <= L; l++) {
                int layer = l;
                addGram(kTrain[mem][l - 1], hTr, nc, layer, P);
                if (Pt > 0) addGram(kTest[mem][l - 1], hTe, nc, layer, Pt);
            }
            for (int k = 0; k < nc; k++) {
                if (fTr[k] == null) continue;
                addMoments(fTr[k], P, m, fTrain[mem], fTrainSq[mem]);
                if (Pt > 0) addMoments(fTe[k], Pt, m, fTest[mem], fTestSq[mem]);
            }
        }
        int active = 0;
        for (int c = from; c < to; c++) if (!dropped[c]) active++;
        samples[mem] += active;
    }

    /** h[l] flattened to N × n, n = pass.n. */
    private float[][] copyHidden(Pass pass) {
        float[][] h = new float[L + 1][];
        for (int l = 1; l <= L; l++) h[l] = pass.h[l].clone();
        return h;
    }

    /** K[μ][ν] += Σ_chains (1/N) Σ_i h_iμ h_iν, rows split over threads, chains in fixed order. */
    private void addGram(double[] K, float[][][] h, int nc, int layer, int n) {
        int N = spec.N();
        double invN = 1.0 / N;
        pool.forRange(n, (mu, ws) -> {
            double[] row = new double[n];
            for (int k = 0; k < nc; k++) {
                if (h[k] == null) continue;
                float[] a = h[k][layer];
                for (int i = 0; i < N; i++) {
                    double v = a[i * n + mu];
                    if (v == 0) continue;
                    int o = i * n;
                    for (int nu = 0; nu < n; nu++) row[nu] += v * a[o + nu];
                }
            }
            for (int nu = 0; nu < n; nu++) K[mu * n + nu] += row[nu] * invN;
        });
    }

    /** f is m × n (output-major); sums are n × m. */
    private static void addMoments(float[] f, int n, int m, double[] sum, double[] sq) {
        for (int r = 0; r < m; r++)
            for (int mu = 0; mu < n; mu++) {
                double v = f[r * n + mu];
                sum[mu * m + r] += v;
                sq[mu * m + r] += v * v;
            }
    }

    @Override
    public Moments moments(int k) {
        double[][] kt = new double[L][], ke = new double[L][];
        for (int l = 0; l < L; l++) { kt[l] = kTrain[k][l].clone(); ke[l] = kTest[k][l].clone(); }
        return new Moments(samples[k], kt, ke, fTrain[k].clone(), fTrainSq[k].clone(), fTest[k].clone(), fTestSq[k].clone());
    }

    @Override
    public void resetMoments() {
        for (int k = 0; k < packing.members(); k++) resetMoments(k);
    }

    @Override
    public void resetMoments(int k) {
        samples[k] = 0;
        for (double[] a : kTrain[k]) Arrays.fill(a, 0);
        for (double[] a : kTest[k]) Arrays.fill(a, 0);
        Arrays.fill(fTrain[k], 0); Arrays.fill(fTrainSq[k], 0);
        Arrays.fill(fTest[k], 0); Arrays.fill(fTestSq[k], 0);
    }

    @Override
    public void restore(int k, Moments sums, long[] acceptedCounts, long[] divergedSteps) {
        int n = packing.chains(k), f = first[k];
        if (acceptedCounts.length != n || divergedSteps.length != n)
            throw new IllegalArgumentException("counts for " + acceptedCounts.length + " chains, backend " + n);
        if (sums.kernelTrain().length != L) throw new IllegalArgumentException("sums for " + sums.kernelTrain().length + " layers, model " + L);
        samples[k] = sums.samples();
        for (int l = 0; l < L; l++) {
            System.arraycopy(sums.kernelTrain()[l], 0, kTrain[k][l], 0, kTrain[k][l].length);
            System.arraycopy(sums.kernelTest()[l], 0, kTest[k][l], 0, kTest[k][l].length);
        }
        System.arraycopy(sums.fTrain(), 0, fTrain[k], 0, fTrain[k].length);
        System.arraycopy(sums.fTrainSq(), 0, fTrainSq[k], 0, fTrainSq[k].length);
        System.arraycopy(sums.fTest(), 0, fTest[k], 0, fTest[k].length);
        System.arraycopy(sums.fTestSq(), 0, fTestSq[k], 0, fTestSq[k].length);
        System.arraycopy(acceptedCounts, 0, accepted, f, n);
        System.arraycopy(divergedSteps, 0, divergedAt, f, n);
    }

    @Override
    public void drop(int chain) {
        Objects.checkIndex(chain, C);
        dropped[chain] = true;
    }

    @Override
    public float[] activations(int chain, boolean onTest) {
        if (L == 0) return onTest ? xTestT.clone() : xT.clone();
        if (onTest && Pt == 0) return new float[0];
        Pass pass = new Pass(onTest ? Pt : P);
        if (callerGemm == null) callerGemm = gemm.factory().get();
        forward(chain, pass, onTest ? xTestT : xT, callerGemm);
        return pass.h[L].clone();
    }

    /** The likelihood gradient of the last {@link #gradient()}, group g, all chains (tests). */
    public float[] likelihoodGradient(int g) { return grad[g].clone(); }

    /** Σ a², in four interleaved partial sums (fixed, so the same bits every time), 3× faster than one. */
    static double sumSquares(float[] a, int off, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double v0 = a[off + i], v1 = a[off + i + 1], v2 = a[off + i + 2], v3 = a[off + i + 3];
            s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3;
        }
        for (; i < n; i++) { double v = a[off + i]; s0 += v * v; }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void close() { pool.close(); }
}
