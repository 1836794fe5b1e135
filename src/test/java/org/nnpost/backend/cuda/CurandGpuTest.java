package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.nnpost.backend.StepSizes;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Mala;
import org.nnpost.sampler.Ula;

/**
 * cuRAND's noise on the GPU: other draws than our Philox stream, reproducible from the seed, and
 * MALA's uniforms drawn by it accept as often as ours. The statistical agreement of long runs is
 * in {@link CudaStatisticsGpuTest}.
 */
@Tag("gpu")
class CurandGpuTest {
    static final double Z = 4.5;
    static final Task TASK = OrthogonalTask.generate(24, 20, 5, new double[]{.5, .25, .25}, true, 1, 0, 0.6, 3);
    static final ModelSpec SPEC = new ModelSpec(1, 32, 24, 3, Phi.RELU, Scaling.MEANFIELD, 2.0, true, 1, 1);
    static final int C = 64;

    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    /**
     * From the same state, one step with each generator: θ_curand − θ_philox = √(2η) (ξ_c − ξ_p),
     * so Δ²/(2η) averages 2 over the n parameters of all chains when the two normals are
     * independent (0 if they were the same stream), with standard error √(8/n).
     */
    @Test
    void oneStepDrawsNoiseIndependentOfOurPhilox() {
        float eta = 0.005f;
        ChainState init = ChainState.fromPrior(SPEC, C, 11);
        float[][] after = new float[2][];
        for (int k = 0; k < 2; k++)
            try (CudaBackend b = new CudaBackend(SPEC, TASK, C, CudaOptions.DEFAULT.withCurand(k == 1))) {
                b.load(init);
                b.gradient();
                b.move(StepSizes.of(eta, eta), false);
                b.advance();
                after[k] = flat(b.snapshot());
            }
        double s2 = 2.0 * eta, sum = 0;
        int n = after[0].length;
        for (int i = 0; i < n; i++) {
            double d = after[1][i] - after[0][i];
            sum += d * d / s2;
        }
        double mean = sum / n, z = (mean - 2) / Math.sqrt(8.0 / n);
        GpuReport.row("curand-philox step: mean (dxi)^2 = " + String.format(java.util.Locale.ROOT, "%.4f", mean) + " (|z| vs 2)",
                Math.abs(z), Z, Math.abs(z) < Z);
        assertTrue(Math.abs(z) < Z, "mean squared noise difference " + mean + ", z " + z);
    }

    /**
     * The draws follow from the seed: loading the same state again gives the same chains (to float
     * rounding, as graph replay is checked), and the same parameters under another seed do not.
     */
    @Test
    void theSeedDecidesTheCurandRun() {
        ChainState init = ChainState.fromPrior(SPEC, C, 12);
        ChainState reseeded = new ChainState(init.chains(), 99, init.step(), init.params());
        Ula ula = new Ula(new float[]{0.005f, 0.005f});
        try (CudaBackend b = new CudaBackend(SPEC, TASK, C, CudaOptions.DEFAULT.withCurand(true))) {
            float[][] runs = new float[3][];
            for (int k = 0; k < 3; k++) {
                b.load(k < 2 ? init : reseeded);
                ula.init(b);
                b.repeat(20, () -> ula.step(b));
                runs[k] = flat(b.snapshot());
            }
            double same = GpuReport.relDiff(runs[1], runs[0]), other = GpuReport.relDiff(runs[2], runs[0]);
            GpuReport.row("curand: same seed twice, 20 steps, rel diff", same, 1e-6, same < 1e-6);
            GpuReport.row("curand: seed 12 vs 99, 20 steps, rel diff (> tol)", other, 1e-2, other > 1e-2);
            assertTrue(same < 1e-6, "the same seed gave chains " + same + " apart");
            // 20 steps of noise √(2·0.005) ≈ 0.1 per step move each weight by about 0.45 against O(1) weights
            assertTrue(other > 1e-2, "another seed moved the chains by only " + other);
        }
    }

    /**
     * MALA at an acceptance near 2/3 (η = 0.03 on this model, measured on the CPU), with the
     * proposals' noise and the uniforms from cuRAND and from our Philox: per-chain acceptance
     * fractions over the same steps have the same law, so a two-sample z over chains compares them
     * (independent chains; the spread across chains carries the steps' correlation).
     */
    @Test
    void malaAcceptsAsOftenWithCurandUniforms() {
        int chains = 256, steps = 400;
        float eta = 0.03f;
        Mala mala = new Mala(new float[]{eta, eta});
        double[] mean = new double[2], se = new double[2];
        for (int k = 0; k < 2; k++)
            try (CudaBackend b = new CudaBackend(SPEC, TASK, chains, CudaOptions.DEFAULT.withCurand(k == 1))) {
                b.load(ChainState.fromPrior(SPEC, chains, 21));
                mala.init(b);
                b.repeat(steps, () -> mala.step(b));
                long[] acc = b.accepted();
                double mu = 0, m2 = 0;
                for (long a : acc) mu += a / (double) steps / chains;
                for (long a : acc) m2 += Math.pow(a / (double) steps - mu, 2) / (chains - 1);
                mean[k] = mu;
                se[k] = Math.sqrt(m2 / chains);
            }
        double z = Math.abs(mean[1] - mean[0]) / Math.hypot(se[0], se[1]);
        GpuReport.row(String.format(java.util.Locale.ROOT, "mala acceptance curand %.3f vs philox %.3f (|z|)", mean[1], mean[0]),
                z, Z, z < Z);
        assertTrue(mean[0] > 0.2 && mean[0] < 0.95, "acceptance " + mean[0] + " leaves the uniforms little to decide");
        assertTrue(z < Z, "acceptance " + mean[1] + " with cuRAND vs " + mean[0] + ", z " + z);
    }

    static float[] flat(ChainState s) {
        int n = 0;
        for (float[] p : s.params()) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : s.params()) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
