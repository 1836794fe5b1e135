package org.nnpost.theory;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Readout;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.Ula;

/**
 * Lazy scaling (γ = ½): the sampled mean predictor of a ReLU network approaches the NNGP (GP)
 * predictor as the width grows (SPEC §7). Between N = 4 and N = 64 the RMS gap must shrink by
 * more than four times the Monte Carlo error of the gap (from the spread of 48 chain means).
 * On the training inputs the gap shrinks roughly like N^(−1/2) here: about 0.1 at N = 8, 0.06 at
 * N = 32 and 0.026 at N = 128 (targets ±1) when this test was set up.
 */
class LazySamplingTest {

    @Test
    void sampledPredictorApproachesTheNngpPredictorAsWidthGrows() {
        int P = 10, N0 = 20, Pt = 10, m = 2;
        Task task = OrthogonalTask.generate(N0, P, Pt, new double[]{.5, .5}, true, 1, -1, 0.7, 3);
        double[] narrow = gap(task, 4), wide = gap(task, 64);
        double se = Math.hypot(narrow[1], wide[1]);
        System.out.printf("lazy ReLU: RMS gap to the GP predictor %.4f at N = 4, %.4f at N = 64 (MC error %.4f)%n",
                narrow[0], wide[0], se);
        assertTrue(narrow[0] - wide[0] > 4 * se,
                "gap " + narrow[0] + " at N = 4 should exceed " + wide[0] + " at N = 64 by 4 x " + se);
    }

    /**
     * RMS over the training inputs of (sampled mean predictor − GP mean), and its MC error. The
     * training inputs are where the posterior's own spread (about T) is smallest, so the gap
     * stands out most clearly from the Monte Carlo noise.
     */
    private static double[] gap(Task task, int N) {
        int C = 48, m = 2;
        ModelSpec spec = new ModelSpec(1, N, task.train().N0(), m, Phi.RELU, Scaling.LAZY, 10, true, 1, 1);
        TheoryNumbers th = TheoryNumbers.of(spec, task);
        int n = task.train().P() * m;
        double[][] perChain = new double[C][n];
        int draws = 0;
        try (CpuBackend b = new CpuBackend(spec, task, C, 2)) {
            b.load(ChainState.fromPrior(spec, C, 5));
            Sampler s = new Ula(new float[]{0.01f, 0.01f});
            s.init(b);
            for (int k = 1; k <= 5000; k++) {
                s.step(b);
                if (k <= 1000 || k % 10 != 0) continue;
                draws++;
                for (int c = 0; c < C; c++) add(b, c, false, perChain[c], 0);
            }
        }
        double[] gp = th.gp().meanTrain();
        double sq = 0, var = 0;
        for (int i = 0; i < n; i++) {
            double s = 0, s2 = 0;
            for (double[] ch : perChain) { double v = ch[i] / draws; s += v; s2 += v * v; }
            double mean = s / C, se2 = Math.max(0, s2 / C - mean * mean) / (C - 1);
            sq += (mean - gp[i]) * (mean - gp[i]);
            var += se2;
        }
        return new double[]{Math.sqrt(sq / n), Math.sqrt(var / n)};
    }

    private static void add(CpuBackend b, int chain, boolean test, double[] sum, int off) {
        ModelSpec spec = b.spec();
        float[] h = b.activations(chain, test);
        int n = h.length / spec.lastWidth();
        double[] f = Readout.outputs(spec, b.snapshot().chainGroup(spec, spec.L(), chain), 0, h, n, new double[n * spec.m()]);
        for (int k = 0; k < f.length; k++) sum[off + k] += f[k];
    }
}
