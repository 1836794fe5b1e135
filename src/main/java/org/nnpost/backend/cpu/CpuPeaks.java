package org.nnpost.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What this machine's cores can do, measured in the same process as a benchmark so the two are
 * compared under the same load: the SGEMM rate of the CPU backend's own kernel ({@link Blas}, one
 * 256³ product per thread at a time, all threads busy) and the copy bandwidth of large float
 * arrays (read plus write, all threads). Medians of a few repeats.
 */
public final class CpuPeaks {
    private CpuPeaks() {}

    /** @param gemmGflops SGEMM GFLOP/s of the Java kernel; @param copyGBs GB/s moved by array copies */
    public record Peaks(double gemmGflops, double copyGBs) {}

    public static Peaks measure(int threads) {
        return new Peaks(gemm(threads), copy(threads));
    }

    static double gemm(int threads) {
        int n = 256, reps = 5;
        double flopsPerCall = 2.0 * n * n * n;
        int calls = 8;
        double[] rates = new double[reps];
        for (int r = 0; r < reps + 1; r++) {   // the first pass warms the JIT up
            double seconds = parallel(threads, () -> {
                float[] a = new float[n * n];
                float[][] b = new float[n][n], c = new float[n][n];
                for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.1f;
                for (float[] row : b) java.util.Arrays.fill(row, 0.5f);
                for (int k = 0; k < calls; k++) Blas.gemm(n, n, n, 1f, a, 0, n, b, c);
            });
            if (r > 0) rates[r - 1] = threads * calls * flopsPerCall / seconds * 1e-9;
        }
        return median(rates);
    }

    static double copy(int threads) {
        int n = 1 << 23, reps = 5;   // 32 MiB per array per thread: past every cache
        double[] rates = new double[reps];
        for (int r = 0; r < reps + 1; r++) {
            double seconds = parallel(threads, () -> {
                float[] src = new float[n], dst = new float[n];
                java.util.Arrays.fill(src, 1f);
                for (int k = 0; k < 4; k++) System.arraycopy(src, 0, dst, 0, n);
            });
            // allocation and fill are inside the timing too: count them as one more read+write pass
            if (r > 0) rates[r - 1] = threads * 5.0 * 2 * 4L * n / seconds * 1e-9;
        }
        return median(rates);
    }

    private static double parallel(int threads, Runnable work) {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        try {
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) fs.add(ex.submit(work));
            for (Future<?> f : fs) f.get();
            return (System.nanoTime() - t0) * 1e-9;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            ex.shutdownNow();
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
