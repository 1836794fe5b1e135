package org.nnpost.backend.cpu;

/**
 * The few dense kernels the CPU backend needs. Matrices that the inner loops stream (B and C of
 * C = A·B) are arrays of rows, one float[] per row, and every inner loop has the shape
 *
 * <pre>   c[j] += a0·b0[j] + a1·b1[j] + a2·b2[j] + a3·b3[j]   (j = 0..n−1)</pre>
 *
 * with one store stream and every array indexed by j alone. That is the shape HotSpot's C2
 * vectorises: an invariant offset (C[cOff + j], B[bOff + j]) on the stored array or on a
 * loaded one leaves it unable to rule out overlap, and it falls back to scalar code, about six
 * times slower at the sizes used here. A is only read as scalars, so it may be flat with offsets.
 *
 * <p>The k sum runs in groups of four from k = 0, the leftover k one at a time at the end, and
 * is cut into blocks of {@link #KB} rows of B that stay in L1 while every row of C passes over
 * them. Blocks start at multiples of four, so the order of additions into each c[j] is the same
 * for any block size and any thread count: results are reproducible bit for bit.
 */
final class Blas {
    private Blas() {}

    /** Rows of B per cache block: 32 rows of a few hundred floats fit L1 with the C row. */
    static final int KB = 32;

    /** C[i] = alpha · Σ_k A[aOff + i·lda + k] · B[k] for i < M, k < K, over n columns. */
    static void gemm(int M, int n, int K, float alpha, float[] A, int aOff, int lda, float[][] B, float[][] C) {
        for (int i = 0; i < M; i++) java.util.Arrays.fill(C[i], 0, n, 0f);
        for (int k0 = 0; k0 < K; k0 += KB) {
            int k1 = Math.min(K, k0 + KB);
            for (int i = 0; i < M; i++) panel(C[i], n, alpha, A, aOff + i * lda, 1, k0, k1, B);
        }
    }

    /** C[i] = alpha · Σ_k A[i][k] · B[k]: as {@link #gemm} with A given by rows. */
    static void gemm(int M, int n, int K, float alpha, float[][] A, float[][] B, float[][] C) {
        for (int i = 0; i < M; i++) java.util.Arrays.fill(C[i], 0, n, 0f);
        for (int k0 = 0; k0 < K; k0 += KB) {
            int k1 = Math.min(K, k0 + KB);
            for (int i = 0; i < M; i++) panel(C[i], n, alpha, A[i], 0, 1, k0, k1, B);
        }
    }

    /** C[i] = alpha · Σ_k A[aOff + k·lda + i] · B[k]: Aᵀ·B with A stored K × lda (lda ≥ M). */
    static void gemmTransA(int M, int n, int K, float alpha, float[] A, int aOff, int lda, float[][] B, float[][] C) {
        for (int i = 0; i < M; i++) java.util.Arrays.fill(C[i], 0, n, 0f);
        for (int k0 = 0; k0 < K; k0 += KB) {
            int k1 = Math.min(K, k0 + KB);
            for (int i = 0; i < M; i++) panel(C[i], n, alpha, A, aOff + i, lda, k0, k1, B);
        }
    }

    /** c[j] += Σ_{k0 ≤ k < k1} alpha · a[base + k·stride] · B[k][j], four k at a time. */
    private static void panel(float[] c, int n, float alpha, float[] a, int base, int stride, int k0, int k1,
                              float[][] B) {
        int k = k0;
        for (; k + 3 < k1; k += 4) {
            int p = base + k * stride;
            float a0 = alpha * a[p], a1 = alpha * a[p + stride];
            float a2 = alpha * a[p + 2 * stride], a3 = alpha * a[p + 3 * stride];
            float[] b0 = B[k], b1 = B[k + 1], b2 = B[k + 2], b3 = B[k + 3];
            for (int j = 0; j < n; j++) c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
        for (; k < k1; k++) {
            float a0 = alpha * a[base + k * stride];
            float[] b0 = B[k];
            for (int j = 0; j < n; j++) c[j] += a0 * b0[j];
        }
    }

    /** out[c][r] = in[r][c] for r < rows, c < cols, in tiles that stay in L1. */
    static void transpose(int rows, int cols, float[][] in, float[][] out) {
        final int T = 32;
        for (int r0 = 0; r0 < rows; r0 += T)
            for (int c0 = 0; c0 < cols; c0 += T) {
                int r1 = Math.min(rows, r0 + T), c1 = Math.min(cols, c0 + T);
                for (int r = r0; r < r1; r++) {
                    float[] src = in[r];
                    for (int c = c0; c < c1; c++) out[c][r] = src[c];
                }
            }
    }

    /** out[c·rows + r] = in[r·cols + c]: flat row-major transpose. */
    static void transpose(int rows, int cols, float[] in, int inOff, float[] out, int outOff) {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) out[outOff + c * rows + r] = in[inOff + r * cols + c];
    }

    /** The rows × cols row-major matrix at flat[off..] as separate row arrays. */
    static float[][] rows(float[] flat, int off, int rows, int cols) {
        float[][] r = new float[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(flat, off + i * cols, r[i], 0, cols);
        return r;
    }

    /** The first cols entries of each of the first rows rows, concatenated. */
    static float[] flat(float[][] m, int rows, int cols) {
        float[] f = new float[rows * cols];
        for (int i = 0; i < rows; i++) System.arraycopy(m[i], 0, f, i * cols, cols);
        return f;
    }

    static double sumSquares(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) { double v = a[off + i]; s += v * v; }
        return s;
    }
}
