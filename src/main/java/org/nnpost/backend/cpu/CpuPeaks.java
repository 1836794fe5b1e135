package org.nnpost.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What this machine's cores can do, measured in the same process as a benchmark so the two are
 * compared under the same load: the SGEMM rate (one 384³ product per thread at a time, all
 * threads busy, as the backend runs its chains) of the best kernel here, OpenBLAS where it
 * loads, and of the kernel the backend uses; and the copy bandwidth of large float arrays (read
 * plus write, all threads). Medians of a few repeats.
 */
public final class CpuPeaks {
    private CpuPeaks() {}

    /**
     * @param gemmGflops SGEMM GFLOP/s of the best kernel here (the machine's peak as measured)
     * @param gemmName   that kernel
     * @param backendGemmGflops SGEMM GFLOP/s of the kernel the CPU backend uses
     * @param copyGBs    GB/s moved by array copies
     */
    public record Peaks(double gemmGflops, String gemmName, double backendGemmGflops, double copyGBs) {}

    public static Peaks measure(int threads) {
        CpuGemm.Choice used = CpuGemm.fromEnvironment();
        CpuGemm.Choice best = OpenBlasGemm.unavailable() == null
                ? new CpuGemm.Choice(OpenBlasGemm.describe(), OpenBlasGemm::new) : CpuGemm.java();
        double usedRate = gemm(threads, used);
        double bestRate = best.name().equals(used.name()) ? usedRate : gemm(threads, best);
        return new Peaks(Math.max(bestRate, usedRate), bestRate >= usedRate ? best.name() : used.name(), usedRate, copy(threads));
    }

    static double gemm(int threads, CpuGemm.Choice kernel) {
        int n = 384, reps = 5;
        double flopsPerCall = 2.0 * n * n * n;
        int calls = 8;
        double[] rates = new double[reps];
        for (int r = 0; r < reps + 1; r++) {   // the first pass warms the JIT up
            double seconds = parallel(threads, () -> {
                Gemm g = kernel.factory().get();
                float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
                for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.1f;
                java.util.Arrays.fill(b, 0.5f);
                g.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, c, 0, n);   // buffers sized, pages touched
                return () -> { for (int k = 0; k < calls; k++) g.gemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, c, 0, n); };
            });
            if (r > 0) rates[r - 1] = threads * calls * flopsPerCall / seconds * 1e-9;
        }
        return median(rates);
    }

    static double copy(int threads) {
        int n = 1 << 23, reps = 5, passes = 4;   // 32 MiB per array per thread: past every cache
        double[] rates = new double[reps];
        for (int r = 0; r < reps + 1; r++) {
            double seconds = parallel(threads, () -> {
                float[] src = new float[n], dst = new float[n];
                java.util.Arrays.fill(src, 1f);
                java.util.Arrays.fill(dst, 0f);
                return () -> { for (int k = 0; k < passes; k++) System.arraycopy(src, 0, dst, 0, n); };
            });
            if (r > 0) rates[r - 1] = threads * passes * 2 * 4L * n / seconds * 1e-9;
        }
        return median(rates);
    }

    /**
     * Runs setup on each of the threads, then, once all are ready, the work each returned; the
     * seconds from that start until the last one finishes (allocation and first touches are
     * left out of the timing).
     */
    private static double parallel(int threads, java.util.function.Supplier<Runnable> setup) {
        ExecutorService ex = Executors.newFixedThreadPool(threads);
        java.util.concurrent.CyclicBarrier ready = new java.util.concurrent.CyclicBarrier(threads + 1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++)
                fs.add(ex.submit(() -> {
                    Runnable work = setup.get();
                    ready.await();
                    work.run();
                    return null;
                }));
            ready.await();
            long t0 = System.nanoTime();
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
