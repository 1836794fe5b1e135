package org.nnpost.backend.cpu;

/**
 * The few dense kernels the CPU backend needs, on row-major float arrays with offsets.
 * Loops are written so the innermost one runs over contiguous memory with independent
 * iterations (C2 vectorises it) and four rows of B are folded per pass over C (a quarter of the
 * memory traffic). The summation order is fixed, so results do not depend on the thread count.
 */
final class Blas {
    private Blas() {}

    /** C[M×n] = alpha · A[M×K] · B[K×n]. */
    static void gemm(int M, int n, int K, float alpha, float[] A, int aOff, float[] B, int bOff,
                     float[] C, int cOff) {
        java.util.Arrays.fill(C, cOff, cOff + M * n, 0f);
        for (int i = 0; i < M; i++) {
            int ci = cOff + i * n, ai = aOff + i * K;
            int k = 0;
            for (; k + 3 < K; k += 4) {
                float a0 = alpha * A[ai + k], a1 = alpha * A[ai + k + 1];
                float a2 = alpha * A[ai + k + 2], a3 = alpha * A[ai + k + 3];
                int b0 = bOff + k * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++)
                    C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
            }
            for (; k < K; k++) {
                float a0 = alpha * A[ai + k];
                int b0 = bOff + k * n;
                for (int j = 0; j < n; j++) C[ci + j] += a0 * B[b0 + j];
            }
        }
    }

    /** C[M×n] = alpha · Aᵀ · B with A stored K×M and B K×n. */
    static void gemmTransA(int M, int n, int K, float alpha, float[] A, int aOff, float[] B, int bOff,
                           float[] C, int cOff) {
        java.util.Arrays.fill(C, cOff, cOff + M * n, 0f);
        for (int i = 0; i < M; i++) {
            int ci = cOff + i * n;
            int k = 0;
            for (; k + 3 < K; k += 4) {
                float a0 = alpha * A[aOff + k * M + i], a1 = alpha * A[aOff + (k + 1) * M + i];
                float a2 = alpha * A[aOff + (k + 2) * M + i], a3 = alpha * A[aOff + (k + 3) * M + i];
                int b0 = bOff + k * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
                for (int j = 0; j < n; j++)
                    C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
            }
            for (; k < K; k++) {
                float a0 = alpha * A[aOff + k * M + i];
                int b0 = bOff + k * n;
                for (int j = 0; j < n; j++) C[ci + j] += a0 * B[b0 + j];
            }
        }
    }

    /** out[cols×rows] = in[rows×cols]ᵀ, in tiles that stay in L1. */
    static void transpose(int rows, int cols, float[] in, int inOff, float[] out, int outOff) {
        final int T = 32;
        for (int r0 = 0; r0 < rows; r0 += T)
            for (int c0 = 0; c0 < cols; c0 += T) {
                int r1 = Math.min(rows, r0 + T), c1 = Math.min(cols, c0 + T);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++) out[outOff + c * rows + r] = in[inOff + r * cols + c];
            }
    }

    static double sumSquares(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) { double v = a[off + i]; s += v * v; }
        return s;
    }
}
