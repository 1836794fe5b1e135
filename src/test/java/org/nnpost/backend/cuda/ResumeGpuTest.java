package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Npy;
import org.nnpost.run.Interrupts;
import org.nnpost.run.Progress;
import org.nnpost.run.RunSettings;
import org.nnpost.run.SampleRun;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;

/**
 * Checkpoints on the GPU: a run interrupted on the GPU and resumed there gives the unbroken GPU
 * run's arrays, bit for bit where the GPU's own arithmetic is deterministic (everything computed
 * from the parameters: kept draws, kernels, predictor, loss) and to 1e-12 where it sums with
 * atomics (the potential and the norms, summed per block in whatever order the blocks finish);
 * resumed on the CPU instead, it agrees with the unbroken GPU run to float rounding over the
 * steps taken on the CPU (1e-4 of the scale, as CudaBackendGpuTest holds the backends to over
 * 20 steps).
 */
@Tag("gpu")
class ResumeGpuTest {
    static final double TOL = 1e-4;
    @TempDir Path tmp;

    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    static Settings run(Path out) {
        Settings v = new Settings();
        String[] kv = {"backend", "cuda", "threads", "2", "progress", "off", "L", "1", "phi", "relu", "N", "48", "N0", "40",
                "P", "30", "Ptest", "10", "chains", "6", "steps", "40", "burn-in", "0", "every", "1", "keep", "4", "seed", "5",
                "eta", "0.002", "checkpoint-every", "10", "out", out.toString()};
        for (int i = 0; i < kv.length; i += 2) v.put(kv[i], kv[i + 1], "--" + kv[i]);
        return v;
    }

    static void interruptedAt(Path dir, long at) {
        Interrupts.clear();
        NnpostException e = assertThrows(NnpostException.class, () -> SampleRun.execute(RunSettings.config(run(dir)), new Progress() {
            @Override public void start(String d, long t) {}
            @Override public void update(long step, double l, double r) { if (step >= at) Interrupts.request(Interrupts.SIGTERM); }
            @Override public void message(String line) {}
            @Override public void finish() {}
        }));
        assertEquals(143, e.exitCode(), e.getMessage());
    }

    static Settings machine(String backend) {
        Settings v = new Settings();
        v.put("backend", backend, "--backend");
        return v;
    }

    @Test
    void aRunCheckpointedOnTheGpuResumesThereBitForBitAndOnTheCpuToFloatRounding() throws IOException {
        Path full = tmp.resolve("full"), gpu = tmp.resolve("gpu"), cpu = tmp.resolve("cpu");
        SampleRun.execute(RunSettings.config(run(full)), Progress.SILENT);
        interruptedAt(gpu, 20);
        SampleRun.resume(gpu, machine("cuda"), Progress.SILENT);
        interruptedAt(cpu, 20);
        SampleRun.resume(cpu, machine("cpu"), Progress.SILENT);

        double worstGpu = 0, worstCpu = 0;
        for (String f : List.of("readout_samples.npy", "activations_train.npy", "activations_test.npy", "kernel_l1_train.npy",
                "kernel_l1_test.npy", "predictor_mean_train.npy", "predictor_mean_test.npy", "trace_loss.npy")) {
            assertArrayEquals(Files.readAllBytes(full.resolve(f)), Files.readAllBytes(gpu.resolve(f)), "resumed on the GPU: " + f);
            worstCpu = Math.max(worstCpu, diff(full.resolve(f), cpu.resolve(f)));
        }
        for (String f : List.of("trace_potential.npy", "trace_sqnorm_W1.npy", "trace_sqnorm_a.npy")) {
            worstGpu = Math.max(worstGpu, diff(full.resolve(f), gpu.resolve(f)));
            worstCpu = Math.max(worstCpu, diff(full.resolve(f), cpu.resolve(f)));
        }
        GpuReport.row("resume on GPU: atomically summed traces", worstGpu, 1e-12, worstGpu < 1e-12);
        GpuReport.row("checkpoint on GPU, resume on CPU", worstCpu, TOL, worstCpu < TOL);
        assertTrue(worstGpu < 1e-12, "resumed on the GPU, the potential and norms differ by " + worstGpu);
        assertTrue(worstCpu < TOL, "resumed on the CPU, the arrays differ by " + worstCpu);
    }

    static double diff(Path a, Path b) {
        Npy.Array x = Npy.read(a), y = Npy.read(b);
        double[] u = x.descr().endsWith("f4") ? toDouble(x.floats()) : x.doubles();
        double[] v = y.descr().endsWith("f4") ? toDouble(y.floats()) : y.doubles();
        return GpuReport.relDiff(v, u);
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
