package org.nnpost.backend.cuda;

import java.util.Locale;

import org.nnpost.backend.Traces;
import org.nnpost.model.ModelSpec;

/**
 * The device memory a run needs, worked out before anything is allocated (the sizes of
 * {@link CudaBuffers}): a part shared by all chains and a part per chain, so a run that does not
 * fit can say how many chains would.
 *
 * @param sharedBytes   data, kernels' running sums, scratch, cuBLAS workspace
 * @param perChainBytes parameters, gradients, every layer's preactivations on train and test
 *                      inputs, outputs, traces (MALA's saved state when {@code mala}; cuRAND's
 *                      buffers, the largest group's normals and one uniform, when {@code curand})
 */
public record MemoryPlan(long sharedBytes, long perChainBytes) {
    /** Left free for the context, cuBLAS's kernels and fragmentation. */
    public static final long RESERVE = 768L << 20;

    public static MemoryPlan of(ModelSpec spec, int P, int Pt, boolean mala) { return of(spec, P, Pt, mala, false); }

    public static MemoryPlan of(ModelSpec spec, int P, int Pt, boolean mala, boolean curand) {
        int L = spec.L(), N = spec.N(), m = spec.m(), G = spec.groups();
        long params = spec.paramsPerChain();
        long floats = 2 * params;                          // theta, grad
        if (mala) floats += 2 * params;                    // thetaOld, gradOld
        if (curand) {                                      // normals for one group at a time, a uniform
            long largest = 0;
            for (int g = 0; g < G; g++) largest = Math.max(largest, spec.groupSize(g));
            floats += largest + 1;
        }
        floats += (long) L * N * P;                        // Z[0..L-1]: preactivations, reused for deltas
        if (L >= 2) floats += (long) (L - 1) * N * P + (long) N * P;   // H[1..L-1] and the back-propagated D
        floats += 2L * m * P;                              // f, delta
        floats += (long) L * N * Pt + (long) m * Pt;       // test-set preactivations and outputs
        long doubles = 2L * Traces.width(G) + G + 2;       // traces, saved traces, norms, xiSq, back
        long other = 8 + 8 + 4;                            // divergedAt, accepted, accept flag
        long perChain = 4 * floats + 8 * doubles + other;

        long sharedFloats = 2L * spec.N0() * P + (long) spec.N0() * Pt + (long) m * P + G;   // x, xT, xTestT, yT, invVar
        int nK = Math.max(P, Pt);
        sharedFloats += (long) nK * nK;                    // one kernel matrix from syrk
        long sharedDoubles = (long) L * ((long) P * P + (long) Pt * Pt) + 2L * m * (P + Pt);
        long shared = 4 * sharedFloats + 8 * sharedDoubles + 8 + CudaContext.CUBLAS_WORKSPACE;
        return new MemoryPlan(shared, perChain);
    }

    public long bytes(int chains) { return sharedBytes + perChainBytes * chains; }

    /** The most chains that fit in {@code freeBytes}, keeping {@link #RESERVE} back; 0 if none. */
    public int maxChains(long freeBytes) {
        long room = freeBytes - RESERVE - sharedBytes;
        if (room < perChainBytes) return 0;
        return (int) Math.min(Launch.MAX_CHAINS, room / perChainBytes);
    }

    public boolean fits(int chains, long freeBytes) {
        return chains <= Launch.MAX_CHAINS && bytes(chains) + RESERVE <= freeBytes;
    }

    /** The one line a run that does not fit ends with. */
    public String tooLarge(int chains, long freeBytes) {
        return String.format(Locale.ROOT,
                "%d chains need %.2f GiB of GPU memory, %.2f GiB are free: at most %d chains fit",
                chains, gib(bytes(chains) + RESERVE), gib(freeBytes), maxChains(freeBytes));
    }

    static double gib(long b) { return b / (double) (1L << 30); }
}
