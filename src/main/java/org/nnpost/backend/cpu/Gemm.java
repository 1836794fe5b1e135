package org.nnpost.backend.cpu;

/**
 * C = α · op(A) · op(B) on row-major float32 arrays: the one dense kernel of the CPU backend.
 * C is M × N at C[cOff + i·ldc + j]; op(A) is M × K, stored K × M when transA; op(B) is K × N,
 * stored N × K when transB. C is overwritten (β = 0).
 *
 * <p>Two implementations: {@link JavaGemm}, portable Java that HotSpot vectorises, and
 * {@link OpenBlasGemm}, OpenBLAS's kernels, several times faster where its native library
 * loads. An instance belongs to one thread (each keeps scratch buffers), and a call computes
 * every C entry by the same sequence of operations whatever thread makes it, so a backend
 * that gives each chain to one thread gets the same bits on any thread count.
 */
interface Gemm {
    void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
              float[] A, int aOff, int lda, float[] B, int bOff, int ldb, float[] C, int cOff, int ldc);
}
