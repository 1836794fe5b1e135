package org.nnpost.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * {@link Gemm} by OpenBLAS's cblas_sgemm (the bytedeco build from Maven Central, with its
 * native library in the jar). Operands are copied into native buffers owned by the instance:
 * OpenBLAS cannot read a Java array in place, and JNI's array pinning would copy anyway and
 * allocate on every call. The copies cost a few per cent of a product at the backend's sizes.
 *
 * <p>OpenBLAS runs single-threaded ({@link #load}): the backend's own threads each take whole
 * chains, so one product is computed the same way on any thread count, and OpenBLAS's pool
 * would only compete with them for the cores.
 */
final class OpenBlasGemm implements Gemm {
    /**
     * Products with a side this short (the readout's m outputs) go to the Java kernel: they
     * are a memory pass over the other operand, which the copies in and out would double, and
     * OpenBLAS's blocking buys nothing there (measured: 41 µs against 11 µs at 2 × 200 × 200).
     */
    static final int SMALL = 16;

    private final JavaGemm small = new JavaGemm();
    private FloatPointer a = new FloatPointer(0), b = new FloatPointer(0), c = new FloatPointer(0);

    /** Why OpenBLAS cannot be used, or null when it loaded. */
    static String unavailable() { return Loaded.ERROR; }

    /** "OpenBLAS 0.3.x", as the library reports itself. */
    static String describe() { return Loaded.ERROR == null ? Loaded.CONFIG : "OpenBLAS unavailable: " + Loaded.ERROR; }

    private static final class Loaded {
        static final String ERROR, CONFIG;

        static {
            String error = null, config = null;
            try {
                config = load();
            } catch (Throwable t) {   // a missing or unloadable native library, of any kind
                error = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage().lines().findFirst().orElse(""));
            }
            ERROR = error;
            CONFIG = config;
        }
    }

    private static String load() {
        openblas_nolapack.blas_set_num_threads(1);
        // the version the library was built as; its CPU kernels are picked at load time
        return openblas_nolapack.OPENBLAS_VERSION.trim();
    }

    OpenBlasGemm() {
        if (Loaded.ERROR != null) throw new IllegalStateException("OpenBLAS unavailable: " + Loaded.ERROR);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int M, int N, int K, float alpha,
                     float[] A, int aOff, int lda, float[] B, int bOff, int ldb, float[] C, int cOff, int ldc) {
        if (Math.min(M, Math.min(N, K)) < SMALL) {
            small.gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
            return;
        }
        int aLen = span(transA ? K : M, transA ? M : K, lda), bLen = span(transB ? N : K, transB ? K : N, ldb);
        a = fit(a, aLen);
        b = fit(b, bLen);
        c = fit(c, (long) M * N);
        a.position(0).put(A, aOff, aLen);
        b.position(0).put(B, bOff, bLen);
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                M, N, K, alpha, a.position(0), lda, b.position(0), ldb, 0f, c.position(0), N);
        if (ldc == N) c.position(0).get(C, cOff, M * N);
        else for (int i = 0; i < M; i++) c.position((long) i * N).get(C, cOff + i * ldc, N);
    }

    /** Floats from the first entry of a rows × cols matrix with leading dimension ld to its last. */
    private static int span(int rows, int cols, int ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

    private static FloatPointer fit(FloatPointer p, long n) {
        if (p.capacity() >= n && n > 0) return p;
        p.close();
        return new FloatPointer(Math.max(1, n));
    }
}
