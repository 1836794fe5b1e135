package org.nnpost.backend.cpu;

/**
 * The portable {@link Gemm}. op(B) and C are first packed into arrays of rows, one float[] per
 * row, so that every inner loop has the shape
 *
 * <pre>   c[j] += a0·b0[j] + a1·b1[j] + a2·b2[j] + a3·b3[j]   (j = 0..n−1)</pre>
 *
 * with one store stream and every array indexed by j alone. That is the shape HotSpot's C2
 * vectorises: an invariant offset (C[cOff + j], B[bOff + j]) on the stored array or on a
 * loaded one leaves it unable to rule out overlap, and it falls back to scalar code, about six
 * times slower at the sizes used here. A is only read as scalars, so it stays where it is.
 *
 * <p>The k sum runs in groups of four from k = 0, the leftover k one at a time at the end, and
 * is cut into blocks of {@link #KB} rows of B that stay in L1 while every row of C passes over
 * them. Blocks start at multiples of four, so the order of additions into each c[j] is fixed.
 */
final class JavaGemm implements Gemm {
    /** Rows of B per cache block: 32 rows of a few hundred floats fit L1 with the C row. */
    static final int KB = 32;

    private float[][] bRows = new float[0][], cRows = new float[0][];

    @Override
    public void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb, float[] C, int cOff, int ldc) {
        bRows = fit(bRows, K, N);
        cRows = fit(cRows, M, N);
        for (int k = 0; k < K; k++) {
            float[] row = bRows[k];
            if (transB) for (int j = 0; j < N; j++) row[j] = B[bOff + j * ldb + k];
            else System.arraycopy(B, bOff + k * ldb, row, 0, N);
        }
        int rowStep = transA ? 1 : lda, kStride = transA ? lda : 1;
        for (int i = 0; i < M; i++) java.util.Arrays.fill(cRows[i], 0, N, 0f);
        for (int k0 = 0; k0 < K; k0 += KB) {
            int k1 = Math.min(K, k0 + KB);
            for (int i = 0; i < M; i++) panel(cRows[i], N, alpha, A, aOff + i * rowStep, kStride, k0, k1, bRows);
        }
        for (int i = 0; i < M; i++) System.arraycopy(cRows[i], 0, C, cOff + i * ldc, N);
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

    /** rows arrays of at least cols floats each, reusing the old ones when they are big enough. */
    private static float[][] fit(float[][] m, int rows, int cols) {
        if (m.length >= rows && (rows == 0 || m[0].length >= cols)) return m;
        int r = Math.max(rows, m.length), c = Math.max(cols, m.length == 0 ? 0 : m[0].length);
        return new float[r][c];
    }
}
