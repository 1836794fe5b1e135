package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.output.Checkpoint;
import org.nnpost.spec.SpecException;
import org.nnpost.theory.LinearRegressionPosterior;

/**
 * --eta auto: the dual averaging reaches its acceptance target, the curvature it measures is the
 * Hessian's mean diagonal, the groups' ratios follow the curvatures, and the whole tuning is a
 * function of the seed (any thread count, and through a checkpoint's JSON).
 */
class StepSizeTunerTest {

    static SamplerSpec spec(String algorithm, int groups, int chains, long burnIn) {
        return new SamplerSpec(algorithm, SamplerSpec.uniformEta(groups, 0.005f), chains, burnIn + 1000, burnIn, 10, 0, 3,
                new float[]{2f}, true);
    }

    /** Runs the tuning to its end; returns the backend for more steps. */
    static StepSizeTuner tune(CpuBackend b, SamplerSpec s, ModelSpec model) {
        StepSizeTuner t = new StepSizeTuner(s, model);
        b.load(Sampler.of(s).start(ChainState.fromPrior(model, s.chains(), s.seed()), model));
        b.gradient();
        while (!t.frozen()) t.step(b);
        assertEquals(t.freezeAt(), b.step());
        return t;
    }

    static final ModelSpec NET = new ModelSpec(1, 24, 20, 2, Phi.ERF, Scaling.MEANFIELD, 10, true, 1, 1);

    static Task netTask() {
        return OrthogonalTask.generate(20, 16, 4, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 1);
    }

    /**
     * After tuning, MALA at the frozen step sizes accepts at the target. The acceptance over
     * 16 chains × 1000 steps has a standard error below 0.01 (correlated steps included, it is a
     * mean of 0/1 outcomes whose chains are independent); the dual averaging's own scatter of the
     * frozen log-step is about γ/√t ≈ 0.005 in log s. 0.05 covers both with room, and a tuner
     * that missed the target (by the 0.9 of ULA, or the default's own acceptance) fails it.
     */
    @Test
    void malaTunedToItsTargetAcceptsAtTheTarget() {
        SamplerSpec s = spec("mala", 2, 16, 600);
        try (CpuBackend b = new CpuBackend(NET, netTask(), 16, 2)) {
            StepSizeTuner t = tune(b, s, NET);
            float[] eta = t.eta();
            Sampler mala = t.sampler();
            assertEquals("mala", mala.name());
            long[] before = b.accepted();
            for (int i = 0; i < 1000; i++) mala.step(b);
            long n = 0;
            long[] after = b.accepted();
            for (int c = 0; c < 16; c++) n += after[c] - before[c];
            double acceptance = n / 16000.0;
            assertEquals(StepSizeTuner.MALA_TARGET, acceptance, 0.05, "acceptance at eta " + java.util.Arrays.toString(eta));
            // the default step size sits far from the target on this network: the tuning did something
            assertNotEquals(0.005f, eta[1]);
        }
    }

    /**
     * On L = 0 the posterior is Gaussian with precision A, and the tuner's curvature
     * E‖∇U‖²/d must be tr(A)/d (the identity E‖∇U‖² = E[ΔU] it relies on). Its estimate averages
     * 64 chains over the 140 steps of the window; the per-sample relative spread of ‖∇U‖² on
     * d = 6 is about √(2/d) ≈ 0.6, so with at least 64 × 140 / 20 independent terms the relative
     * error is below 0.6/√450 ≈ 3%: 10% is over three of those.
     */
    @Test
    void theMeasuredCurvatureIsTheHessiansMeanDiagonal() {
        ModelSpec model = LinearRegressionPosteriorTest.spec(Scaling.MEANFIELD);
        LinearRegressionPosterior post = LinearRegressionPosteriorTest.posterior(Scaling.MEANFIELD);
        double exact = LinearRegressionPosteriorTest.trace(post.precision()) / post.precision().length;
        SamplerSpec s = spec("mala", 1, 64, 400);
        try (CpuBackend b = new CpuBackend(model, LinearRegressionPosteriorTest.task(), 64, 2)) {
            StepSizeTuner t = tune(b, s, model);
            double measured = t.state().curvature()[0];
            assertEquals(exact, measured, 0.1 * exact, "mean curvature tr(A)/d");
            assertArrayEquals(new double[]{1.0}, t.state().ratio(), "one group: ratio 1");
        }
    }

    /** Two groups: the stiffer one keeps ratio 1, the other gets λ̄_max/λ̄_g, and its step size is larger by that. */
    @Test
    void theGroupsStepSizesFollowTheirCurvatures() {
        SamplerSpec s = spec("ula", 2, 8, 400);
        try (CpuBackend b = new CpuBackend(NET, netTask(), 8, 2)) {
            StepSizeTuner t = tune(b, s, NET);
            double[] lambda = t.state().curvature(), ratio = t.state().ratio();
            int stiff = lambda[0] > lambda[1] ? 0 : 1, soft = 1 - stiff;
            assertEquals(1.0, ratio[stiff]);
            assertEquals(lambda[stiff] / lambda[soft], ratio[soft], 1e-12 * ratio[soft]);
            assertEquals(ratio[soft], (double) t.eta()[soft] / t.eta()[stiff], 1e-6 * ratio[soft]);
            assertEquals("ula", t.sampler().name());
        }
    }

    /** Same seed, same tuned step sizes and state on 1 and 3 threads; the state survives a checkpoint's JSON exactly. */
    @Test
    void theTuningIsAFunctionOfTheSeedAndSurvivesACheckpoint() {
        SamplerSpec s = spec("uld", 2, 6, 300);
        StepSizeTuner.State one, three;
        try (CpuBackend b = new CpuBackend(NET, netTask(), 6, 1)) {
            one = tune(b, s, NET).state();
        }
        try (CpuBackend b = new CpuBackend(NET, netTask(), 6, 3)) {
            three = tune(b, s, NET).state();
        }
        assertEquals(one, three);
        assertEquals(one, Checkpoint.tuning(Checkpoint.tuning(one)));
        // and mid-way, before the ratios are set and nothing is frozen
        try (CpuBackend b = new CpuBackend(NET, netTask(), 6, 2)) {
            StepSizeTuner t = new StepSizeTuner(s, NET);
            b.load(Sampler.of(s).start(ChainState.fromPrior(NET, 6, s.seed()), NET));
            b.gradient();
            for (int i = 0; i < 100; i++) t.step(b);
            assertEquals(null, t.state().eta());
            assertEquals(t.state(), Checkpoint.tuning(Checkpoint.tuning(t.state())));
        }
    }

    @Test
    void tuningNeedsABurnInAndASpecThatAsksForIt() {
        SpecException e = assertThrows(SpecException.class, () -> spec("mala", 2, 4, 100));
        assertTrue(e.getMessage().contains("burn-in") && e.getMessage().contains("--eta auto"), e.getMessage());
        SamplerSpec fixed = new SamplerSpec("mala", new float[]{0.01f, 0.01f}, 4, 1000, 400, 10, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> new StepSizeTuner(fixed, NET));
        assertEquals(0.574, StepSizeTuner.target("mala"));
        assertTrue(StepSizeTuner.target("ula") > StepSizeTuner.target("mala") && StepSizeTuner.target("uld") > StepSizeTuner.target("mala"));
    }
}
