package org.nnpost.backend.cuda;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;

import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Ula;

/**
 * The benchmark of benchmarks/gpu-check.sh: ULA chain-steps/s of the CUDA backend at SPEC §9's
 * size (N = P = 500, N0 = 520, L = 1, ReLU, C chains), FP32 and TF32, against the roofline
 * 4·P·N0·N flops per chain-step, with this GPU's SGEMM rate measured in the same run.
 * Prints "BENCH|..." lines. Usage: GpuCheck [chains] [steps]
 */
public final class GpuCheck {
    static final int N = 500, P = 500, N0 = 520, M = 2;

    public static void main(String[] args) {
        int C = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        GpuProbe.Answer probe = GpuProbe.probe();
        System.out.println("probe: " + probe.reason());
        if (!probe.usable()) return;
        Task task = OrthogonalTask.generate(N0, P, 0, new double[]{.5, .5}, false, 1, -1, 0.5, 1);
        ModelSpec spec = new ModelSpec(1, N, N0, M, Phi.RELU, Scaling.MEANFIELD, 1.0, true, 1, 1);
        double flopsPerChainStep = 4.0 * P * N0 * N;
        ChainState init = randomState(spec, C);
        CudaOptions base = CudaOptions.DEFAULT;
        Object[][] variants = {
                {"fp32 graph", base, true},
                {"fp32 stream", base.withGraphs(false), false},
                {"fp32 stream, cuRAND noise", base.withCurand(true), false},
                {"fp32 graph, NN GEMMs", base.withTransposedGemms(false), false},
                {"fp32 graph, 1-wide readout", base.withVectorReadout(false), false},
                {"tf32 graph", base.withTf32(true), true},
                {"tf32 graph, NN GEMMs", base.withTf32(true).withTransposedGemms(false), false},
                {"tf32 graph, 1-wide readout", base.withTf32(true).withVectorReadout(false), false}};
        for (Object[] v : variants) {
            String mode = (String) v[0];
            try (CudaBackend b = new CudaBackend(spec, task, C, (CudaOptions) v[1])) {
                Ula ula = new Ula(new float[]{1e-4f, 1e-4f});
                b.load(init);
                ula.init(b);
                Runnable step = () -> ula.step(b);
                b.repeat(3, step);
                b.synchronize();
                long t0 = System.nanoTime();
                b.repeat(steps, step);
                b.synchronize();
                double sec = (System.nanoTime() - t0) / 1e9;
                double rate = (double) C * steps / sec;
                System.out.printf(Locale.ROOT, "BENCH|nnpost %s|%.0f|chain-steps/s|%.2f ms/step|%.1f TFLOP/s|%.0f%% of 67 TFLOP/s%n",
                        mode, rate, 1e3 * sec / steps, rate * flopsPerChainStep / 1e12, 100 * rate * flopsPerChainStep / 67e12);
                if ((Boolean) v[2]) parts(b, ula, steps, C, mode);
                if (v[1] == base) System.out.println("device: " + b.description());
                if (Arrays.stream(b.divergedAt()).anyMatch(d -> d >= 0)) System.out.println("BENCH|  (some chains diverged)");
            }
        }
        sgemmPeak(C);
    }

    /** Where a step's time goes: each part of the step timed between synchronisations (no graph). */
    static void parts(CudaBackend b, Ula ula, int steps, int C, String mode) {
        java.util.Map<String, Double> ms = new java.util.LinkedHashMap<>();
        long[] last = {0};
        b.profiler = part -> {
            b.synchronize();
            long now = System.nanoTime();
            if (last[0] != 0) ms.merge(part, (now - last[0]) / 1e6, Double::sum);
            last[0] = System.nanoTime();
        };
        int reps = Math.max(3, steps / 3);
        for (int r = 0; r < reps; r++) {
            b.synchronize();
            last[0] = System.nanoTime();
            ula.step(b);
        }
        b.profiler = null;
        double total = ms.values().stream().mapToDouble(Double::doubleValue).sum();
        for (var e : ms.entrySet())
            System.out.printf(Locale.ROOT, "BENCH|  %s %-32s|%.2f ms|%.0f%%%n", mode, e.getKey(), e.getValue() / reps,
                    100 * e.getValue() / total);
    }

    /** cuBLAS SGEMM at 8192³ and at layer 1's shape, FP32 and TF32. */
    static void sgemmPeak(int C) {
        try (CudaContext ctx = CudaContext.open(CudaOptions.DEFAULT)) {
            int n = 8192;
            long bytes = 4L * n * n;
            CUdeviceptr a = ctx.alloc(bytes, "A"), bm = ctx.alloc(bytes, "B"), c = ctx.alloc(bytes, "C");
            ctx.zeroAsync(a, bytes);
            ctx.zeroAsync(bm, bytes);
            for (boolean tf32 : new boolean[]{false, true}) {
                ctx.setTensorMath(tf32);
                double[] shapes = {n, n, n, P, (double) C * N, N0};
                for (int s = 0; s < 2; s++) {
                    int m = (int) shapes[3 * s], nn = (int) Math.min(shapes[3 * s + 1], (double) n * n / N0), k = (int) shapes[3 * s + 2];
                    Runnable gemm = () -> CudaException.checkBlas(JCublas2.cublasSgemm(ctx.blas, CUBLAS_OP_N, CUBLAS_OP_N, m, nn, k,
                            Pointer.to(new float[]{1f}), a, m, bm, k, Pointer.to(new float[]{0f}), c, m), "sgemm");
                    gemm.run();
                    ctx.sync();
                    int reps = 10;
                    long t0 = System.nanoTime();
                    for (int r = 0; r < reps; r++) gemm.run();
                    ctx.sync();
                    double sec = (System.nanoTime() - t0) / 1e9 / reps;
                    System.out.printf(Locale.ROOT, "BENCH|sgemm %s %dx%dx%d|%.1f TFLOP/s%n", tf32 ? "tf32" : "fp32", m, nn, k,
                            2.0 * m * nn * k / sec / 1e12);
                }
            }
            // device-to-device copy: the memory bandwidth the update and readout kernels can hope for
            ctx.copyAsync(c, a, bytes);
            ctx.sync();
            long t0 = System.nanoTime();
            for (int r = 0; r < 10; r++) ctx.copyAsync(c, a, bytes);
            ctx.sync();
            double sec = (System.nanoTime() - t0) / 1e9 / 10;
            System.out.printf(Locale.ROOT, "BENCH|memcpy DtoD %d MiB|%.2f TB/s (read + write)%n", bytes >> 20, 2.0 * bytes / sec / 1e12);
            CudaContext.free(a);
            CudaContext.free(bm);
            CudaContext.free(c);
        }
    }

    /** Prior-scaled uniforms, filled in parallel: the prior's Box–Muller draws would take longer than the benchmark. */
    static ChainState randomState(ModelSpec spec, int C) {
        float[][] p = new float[spec.groups()][];
        for (int g = 0; g < spec.groups(); g++) {
            int size = spec.groupSize(g);
            float[] a = p[g] = new float[C * size];
            float w = (float) Math.sqrt(3 * spec.priorVariance(g));
            int gg = g;
            IntStream.range(0, C).parallel().forEach(c -> {
                SplittableRandom r = new SplittableRandom(31L * c + gg);
                for (int i = 0; i < size; i++) a[c * size + i] = w * (float) (2 * r.nextDouble() - 1);
            });
        }
        return new ChainState(C, 7, 0, p);
    }
}
