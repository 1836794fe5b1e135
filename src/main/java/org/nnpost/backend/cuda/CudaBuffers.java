package org.nnpost.backend.cuda;

import java.util.ArrayList;
import java.util.List;

import jcuda.Sizeof;
import jcuda.driver.CUdeviceptr;

import org.nnpost.backend.StepConstants;
import org.nnpost.backend.Traces;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;

/**
 * The device arrays of one run, allocated once (sizes as in {@link MemoryPlan}) and freed on
 * close. Layouts are the CPU backend's, for all chains back to back:
 * <pre>
 *   theta[g], grad[g]   [chain][out][in]               group g = W^(g+1), g = L the readout a (m × N)
 *   z[l]                [chain][N][P]  l = 0..L−1      z^(l+1) preactivations; after the backward pass, that layer's δ
 *   h[l]                [chain][N][P]  l = 1..L−1      φ(z^l), the input of a hidden GEMM (L ≥ 2)
 *   d                   [chain][N][P]                  Wᵀδ before the φ′ factor (L ≥ 2)
 *   f, delta            [chain][m][P]                  outputs and β(f − y)
 *   traces              [chain][U, loss, ‖θ_0‖², …]    float64, columns as in Traces
 *   sqNorm              [g][chain]                     ‖θ_g‖², summed by the update kernel
 *   zTest[l], fTest     the same on the test inputs (observables only)
 * </pre>
 */
final class CudaBuffers implements AutoCloseable {
    final int C, P, Pt, L, G;
    final CUdeviceptr x, xT, xTestT, yT, invVar, step;
    final CUdeviceptr[] theta, grad, z, h, zTest;
    final CUdeviceptr d, f, delta, fTest, traces, tracesOld, sqNorm, divergedAt, accepted, accept, xiSq, back;
    final CUdeviceptr kernelScratch, fTrainSum, fTrainSq, fTestSum, fTestSq;
    final CUdeviceptr[] kTrain, kTest;
    /** MALA's saved parameters and gradients, allocated on first use. */
    CUdeviceptr[] thetaOld, gradOld;

    private final CudaContext ctx;
    private final ModelSpec spec;
    private final List<CUdeviceptr> all = new ArrayList<>();

    CudaBuffers(CudaContext ctx, ModelSpec spec, Task task, StepConstants constants, int chains) {
        this.ctx = ctx;
        this.spec = spec;
        C = chains;
        P = task.train().P();
        Pt = task.test().P();
        L = spec.L();
        G = spec.groups();
        int N = spec.N(), m = spec.m();
        try {
            x = floats(task.train().x().length, "x");
            xT = floats(task.train().x().length, "xT");
            xTestT = floats(Math.max(1, task.test().x().length), "xTestT");
            yT = floats((long) m * P, "yT");
            invVar = floats(G, "invVar");
            step = alloc(Sizeof.LONG, "step");
            theta = new CUdeviceptr[G];
            grad = new CUdeviceptr[G];
            for (int g = 0; g < G; g++) {
                theta[g] = floats((long) C * spec.groupSize(g), "theta" + g);
                grad[g] = floats((long) C * spec.groupSize(g), "grad" + g);
            }
            z = new CUdeviceptr[L];
            zTest = new CUdeviceptr[L];
            h = new CUdeviceptr[L];
            for (int l = 0; l < L; l++) {
                z[l] = floats((long) C * N * P, "z" + l);
                zTest[l] = floats((long) C * N * Math.max(Pt, 1), "zTest" + l);
                if (l >= 1) h[l] = floats((long) C * N * P, "h" + l);
            }
            d = L >= 2 ? floats((long) C * N * P, "d") : null;
            f = floats((long) C * m * P, "f");
            delta = floats((long) C * m * P, "delta");
            fTest = floats((long) C * m * Math.max(Pt, 1), "fTest");
            traces = doubles((long) C * Traces.width(G), "traces");
            tracesOld = doubles((long) C * Traces.width(G), "tracesOld");
            sqNorm = doubles((long) G * C, "sqNorm");
            divergedAt = alloc((long) C * Sizeof.LONG, "divergedAt");
            accepted = alloc((long) C * Sizeof.LONG, "accepted");
            accept = alloc((long) C * Sizeof.INT, "accept");
            xiSq = doubles(C, "xiSq");
            back = doubles(C, "back");
            int nK = Math.max(P, Math.max(Pt, 1));
            kernelScratch = floats((long) nK * nK, "kernel");
            kTrain = new CUdeviceptr[L];
            kTest = new CUdeviceptr[L];
            for (int l = 0; l < L; l++) {
                kTrain[l] = doubles((long) P * P, "kTrain" + l);
                kTest[l] = doubles((long) Math.max(Pt, 1) * Math.max(Pt, 1), "kTest" + l);
            }
            fTrainSum = doubles((long) P * m, "fTrainSum");
            fTrainSq = doubles((long) P * m, "fTrainSq");
            fTestSum = doubles((long) Math.max(Pt, 1) * m, "fTestSum");
            fTestSq = doubles((long) Math.max(Pt, 1) * m, "fTestSq");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        ctx.upload(x, task.train().x());
        ctx.upload(xT, task.train().xTransposed());
        if (Pt > 0) ctx.upload(xTestT, task.test().xTransposed());
        ctx.upload(yT, constants.yT());
        ctx.upload(invVar, constants.invVar());
    }

    /** Underdamped Langevin's momenta, [chain][out][in] per group like theta; the first state with momenta allocates them. */
    CUdeviceptr[] momenta;

    void ensureMomenta() {
        if (momenta != null) return;
        CUdeviceptr[] m = new CUdeviceptr[G];
        for (int g = 0; g < G; g++) m[g] = floats((long) C * spec.groupSize(g), "momentum" + g);
        momenta = m;
    }

    /** ‖∇_g U‖² per group and chain, [g][chain], for step-size tuning; its first read allocates it. */
    CUdeviceptr gradSq;

    void ensureGradientSquares() {
        if (gradSq == null) gradSq = doubles((long) G * C, "gradSq");
    }

    /** MALA's saved state; the first proposal allocates it. */
    void ensureMala() {
        if (thetaOld != null) return;
        CUdeviceptr[] t = new CUdeviceptr[G], gr = new CUdeviceptr[G];
        for (int g = 0; g < G; g++) {
            t[g] = floats((long) C * spec.groupSize(g), "thetaOld" + g);
            gr[g] = floats((long) C * spec.groupSize(g), "gradOld" + g);
        }
        thetaOld = t;
        gradOld = gr;
    }

    private CUdeviceptr floats(long n, String what) { return alloc(n * Sizeof.FLOAT, what); }

    private CUdeviceptr doubles(long n, String what) { return alloc(n * Sizeof.DOUBLE, what); }

    private CUdeviceptr alloc(long bytes, String what) {
        CUdeviceptr p = ctx.alloc(bytes, what);
        all.add(p);
        return p;
    }

    @Override
    public void close() {
        for (CUdeviceptr p : all) CudaContext.free(p);
        all.clear();
    }
}
