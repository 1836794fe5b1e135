package org.nnpost.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Both GEMM kernels against a double-precision product, for every transpose case, with operands
 * at offsets inside larger arrays, leading dimensions wider than the matrices, and shapes on
 * both sides of OpenBLAS's small-product cut. The error bound is the classic one for a float32
 * dot product of length K: |ĉ − c| ≤ γ_K Σ_k |a_k b_k| with γ_K = K·u/(1 − K·u), u = 2⁻²⁴
 * (the kernels sum in different orders, and FMA only tightens the bound).
 */
class GemmTest {
    static final double U = Math.ulp(1.0f) / 2;

    static Gemm kernel(String name) {
        if (name.equals("openblas"))
            assumeTrue(OpenBlasGemm.unavailable() == null, () -> "OpenBLAS does not load here: " + OpenBlasGemm.unavailable());
        return CpuGemm.choose(name).factory().get();
    }

    @ParameterizedTest
    @CsvSource({
            "java, 37, 53, 29", "java, 3, 200, 200", "java, 200, 200, 2",
            "openblas, 37, 53, 29", "openblas, 3, 200, 200", "openblas, 200, 200, 2", "openblas, 200, 210, 220"})
    void everyTransposeCaseMatchesTheDoublePrecisionProductWithinTheRoundingBound(String name, int M, int N, int K) {
        Gemm g = kernel(name);
        SplittableRandom r = new SplittableRandom(M * 1000 + N * 10 + K);
        for (boolean ta : new boolean[]{false, true})
            for (boolean tb : new boolean[]{false, true}) {
                int aRows = ta ? K : M, aCols = ta ? M : K, bRows = tb ? N : K, bCols = tb ? K : N;
                int lda = aCols + 3, ldb = bCols + 5, ldc = N + 2, aOff = 7, bOff = 11, cOff = 13;
                float[] A = random(r, aOff + aRows * lda), B = random(r, bOff + bRows * ldb);
                float[] C = new float[cOff + M * ldc];
                java.util.Arrays.fill(C, 42f);   // entries outside C's rows must stay as they are
                float alpha = 0.37f;
                g.gemm(ta, tb, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
                double gamma = K * U / (1 - K * U) + U;   // + u: the final scaling by alpha
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++) {
                        double exact = 0, abs = 0;
                        for (int k = 0; k < K; k++) {
                            double a = ta ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
                            double b = tb ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
                            exact += a * b;
                            abs += Math.abs(a * b);
                        }
                        double got = C[cOff + i * ldc + j];
                        assertEquals(alpha * exact, got, 2 * gamma * Math.abs(alpha) * abs + Float.MIN_NORMAL,
                                name + " transA=" + ta + " transB=" + tb + " at " + i + "," + j);
                    }
                for (int i = 0; i < M; i++)
                    for (int j = N; j < ldc && cOff + i * ldc + j < C.length; j++)
                        assertEquals(42f, C[cOff + i * ldc + j], "padding of row " + i + " untouched");
                for (int q = 0; q < cOff; q++) assertEquals(42f, C[q], "before C untouched");
            }
    }

    @Test
    void aProductIsTheSameBitsEveryTimeAndOnAnyThread() throws Exception {
        for (String name : new String[]{"java", "openblas"}) {
            if (name.equals("openblas") && OpenBlasGemm.unavailable() != null) continue;
            SplittableRandom r = new SplittableRandom(3);
            float[] A = random(r, 120 * 90), B = random(r, 90 * 110);
            float[] c1 = new float[120 * 110], c2 = new float[120 * 110];
            CpuGemm.choose(name).factory().get().gemm(false, false, 120, 110, 90, 1f, A, 0, 90, B, 0, 110, c1, 0, 110);
            Thread t = new Thread(() -> CpuGemm.choose(name).factory().get()
                    .gemm(false, false, 120, 110, 90, 1f, A, 0, 90, B, 0, 110, c2, 0, 110));
            t.start();
            t.join();
            assertTrue(java.util.Arrays.equals(c1, c2), name + ": bit-identical on another thread");
        }
    }

    @Test
    void anUnknownKernelNameIsOneLineNamingTheSettingAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuGemm.choose("mkl"));
        assertEquals("NNPOST_CPU_GEMM=mkl: unknown (allowed: auto, openblas, java)", e.getMessage());
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        return a;
    }
}
