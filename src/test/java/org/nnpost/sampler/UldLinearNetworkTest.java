package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.Traces;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/**
 * Beyond the Gaussian: on a linear network in the mean-field regime (one hidden layer, so the
 * posterior of (W, a) is not Gaussian), underdamped Langevin's ⟨U⟩ and ⟨loss⟩ match MALA's,
 * which is exact at any step size. Each chain's time average is one independent estimate, so
 * the standard error of a mean over C chains is their spread over √C; the two samplers are
 * compared at 4 combined standard errors. At this η BAOAB's O(η) configurational bias is below
 * that resolution (ULD gave the same means at half the η); ULA's loss at the same η is 30% high,
 * tens of standard errors (asserted, so the comparison has power).
 */
class UldLinearNetworkTest {
    static final ModelSpec SPEC = new ModelSpec(1, 24, 16, 2, Phi.LINEAR, Scaling.MEANFIELD, 10, true, 1, 1);
    static final int C = 16, BURN_IN = 1500, STEPS = 4000;
    /** ULD's and ULA's step; MALA's is smaller, where it accepts about 70% and mixes best. */
    static final float ETA = 0.01f, MALA_ETA = 0.004f;

    static Task task() {
        return OrthogonalTask.generate(16, 12, 4, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 1);
    }

    /** Per chain, the time averages of U and of the loss after burn-in. */
    static double[][] averages(Sampler s, int seed) {
        double[][] avg = new double[2][C];
        try (CpuBackend b = new CpuBackend(SPEC, task(), C, 2)) {
            b.load(s.start(ChainState.fromPrior(SPEC, C, seed), SPEC));
            s.init(b);
            for (int t = 0; t < BURN_IN; t++) s.step(b);
            for (int t = 0; t < STEPS; t++) {
                s.step(b);
                double[][] tr = b.traces();
                for (int c = 0; c < C; c++) {
                    avg[0][c] += tr[c][Traces.POTENTIAL] / STEPS;
                    avg[1][c] += tr[c][Traces.LOSS] / STEPS;
                }
            }
            for (long d : b.divergedAt()) assertEquals(-1, d, s.name() + " diverged");
        }
        return avg;
    }

    @Test
    void uldsPotentialAndLossMatchMalasOnALinearMeanFieldNetwork() {
        float[] eta = {ETA, ETA};
        double[][] mala = averages(new Mala(new float[]{MALA_ETA, MALA_ETA}), 1), uld = averages(new Uld(eta, new float[]{2f}), 2),
                ula = averages(new Ula(eta), 3);
        String[] what = {"U", "loss"};
        for (int k = 0; k < 2; k++) {
            double se = Math.hypot(se(mala[k]), se(uld[k]));
            assertEquals(mean(mala[k]), mean(uld[k]), 4 * se, "ULD's <" + what[k] + "> against MALA's");
        }
        double seUla = Math.hypot(se(mala[1]), se(ula[1]));
        assertTrue(Math.abs(mean(ula[1]) - mean(mala[1])) > 4 * seUla,
                "ULA's loss " + mean(ula[1]) + " must differ visibly from MALA's " + mean(mala[1]) + " at this eta (SE " + seUla + ")");
    }

    static double mean(double[] v) { return LinearRegressionPosteriorTest.avg(v); }

    static double se(double[] v) { return LinearRegressionPosteriorTest.se(v); }
}
