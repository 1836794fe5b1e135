package org.nnpost.backend.cuda;

/**
 * Launch shapes of the kernels in src/main/cuda/nnpost.cu, kept apart so the arithmetic is
 * tested without a GPU. The y dimension of a grid is the chain (at most 65535 chains).
 */
final class Launch {
    private Launch() {}

    /** A grid of x · y blocks of {@code threads} threads. */
    record Grid(int x, int y, int threads) {}

    static final int THREADS = 256;
    static final int WARP = 32;
    /** The y grid limit, hence the most chains one backend holds. */
    static final int MAX_CHAINS = 65535;
    /** Largest m the readout kernels keep in registers (MAX_M in nnpost.cu). */
    static final int MAX_M = 16;
    /** Enough blocks to fill any current GPU for the grid-stride elementwise kernels. */
    static final int MAX_STRIDE_BLOCKS = 8192;

    static int ceilDiv(long a, long b) {
        long q = (a + b - 1) / b;
        if (q > Integer.MAX_VALUE) throw new IllegalArgumentException("grid too large: " + q);
        return (int) q;
    }

    /** langevin_update: one thread per Philox block of four parameters, chains on y. */
    static Grid update(int groupSize, int chains) {
        return new Grid(ceilDiv(ceilDiv(groupSize, 4), THREADS), chains, THREADS);
    }

    /** Per-element kernels over one group of every chain (mala_reverse, mala_restore). */
    static Grid perElement(int groupSize, int chains) {
        return new Grid(ceilDiv(groupSize, THREADS), chains, THREADS);
    }

    /** One block per chain (sum_squares, loss_and_delta). */
    static Grid perChain(int chains) { return new Grid(chains, 1, THREADS); }

    /** readout_forward: one thread per (input, chain). */
    static Grid readoutForward(int n, int chains) {
        return new Grid(ceilDiv(n, 128), chains, 128);
    }

    /** readout_backward: one warp per (chain, neuron) row. */
    static Grid readoutBackward(int nIn, int chains) {
        return new Grid(ceilDiv((long) nIn * chains * WARP, THREADS), 1, THREADS);
    }

    /** Grid-stride elementwise kernels over count elements. */
    static Grid elementwise(long count) {
        return new Grid(Math.max(1, Math.min(MAX_STRIDE_BLOCKS, ceilDiv(count, THREADS))), 1, THREADS);
    }

    /** One thread per entry of an n-element array. */
    static Grid flat(long n) { return new Grid(Math.max(1, ceilDiv(n, THREADS)), 1, THREADS); }
}
