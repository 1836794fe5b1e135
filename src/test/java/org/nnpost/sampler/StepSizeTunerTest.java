package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

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

/**
 * --eta auto: the energy-error model it rests on, the curvature it measures on a posterior whose
 * curvature is known, each group's acceptance at its target, the algorithms' rules, and the
 * tuning as a function of the seed (any thread count, and through a checkpoint's JSON).
 */
class StepSizeTunerTest {

    static SamplerSpec spec(String algorithm, int groups, int chains, long burnIn) {
        return new SamplerSpec(algorithm, SamplerSpec.uniformEta(groups, 0.005f), chains, burnIn + 1000, burnIn, 10, 0, 3,
                new float[]{2f}, true);
    }

    /** Runs the tuning to its end on freshly drawn chains. */
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
     * The model: one MALA step on a Gaussian of curvature λ has mean energy error (ηλ)³/4 per
     * dimension (exactly: E ΔH is a quadratic form in the normal (θ, ξ)), and its variance is
     * about twice its mean. Monte Carlo over n = 2·10⁶ draws of a one-dimensional chain at
     * stationarity, compared at 4 standard errors of the mean (sd/√n from the same draws); the
     * variance, whose relation to the mean holds to leading order, within 10%.
     */
    @Test
    void malasEnergyErrorOnAGaussianIsACubeOverFour() {
        SplittableRandom r = new SplittableRandom(7);
        for (double x : new double[]{0.3, 0.5}) {
            double sum = 0, sq = 0;
            int n = 2_000_000;
            for (int i = 0; i < n; i++) {
                double q = gauss(r), xi = gauss(r), eta = x;   // λ = 1
                double qp = q - eta * q + Math.sqrt(2 * eta) * xi;
                double dH = (qp * qp - q * q) / 2
                        + ((q - qp + eta * qp) * (q - qp + eta * qp) - (qp - q + eta * q) * (qp - q + eta * q)) / (4 * eta);
                sum += dH;
                sq += dH * dH;
            }
            double mean = sum / n, var = sq / n - mean * mean, se = Math.sqrt(var / n);
            assertEquals(x * x * x / 4, mean, 4 * se, "mean energy error at eta lambda = " + x);
            assertEquals(2 * mean, var, 0.1 * 2 * mean, "variance twice the mean at eta lambda = " + x);
        }
        // and the joint target: a move with mu = mu0 accepts at 0.574
        assertEquals(StepSizeTuner.MALA_TARGET, StepSizeTuner.acceptance(StepSizeTuner.jointEnergyError()), 1e-9);
    }

    static double gauss(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /**
     * L = 0 on orthogonal data with P = N0 is an isotropic Gaussian: precision
     * λ = β c² N0 + 1/σ_a² along all m·N0 = 128 coordinates. The measured curvature must be λ.
     * Its error: the dual average's acceptance scatters by about ±0.02 around the target, which
     * moves μ by about 7% and λ = (4μ/d)^{1/3}/η by about 2.5%; the model's next order adds about
     * 1% at ηλ ≈ 0.27. 10% covers both more than twice, and a curvature off by the prior term
     * (1 of λ = 11) or a wrong cube root fails it.
     */
    @Test
    void theMeasuredCurvatureOfAnIsotropicGaussianIsItsPrecision() {
        int n0 = 64;
        ModelSpec model = new ModelSpec(0, n0, n0, 2, Phi.LINEAR, Scaling.MEANFIELD, 10, true, 1, 1);
        Task task = OrthogonalTask.generate(n0, n0, 4, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, 1);
        double c = model.scale(0), exact = model.beta() * c * c * n0 + 1;
        SamplerSpec s = spec("mala", 1, 32, 1200);
        try (CpuBackend b = new CpuBackend(model, task, 32, 2)) {
            StepSizeTuner t = tune(b, s, model);
            double measured = t.curvature()[0];
            assertEquals(exact, measured, 0.1 * exact, "the precision beta c^2 N0 + 1");
            assertEquals(t.groupTarget(), t.state().acceptance()[0], 0.1, "the acceptance reached");
            // the bound on the stiffest curvature, all energy error in one of d = 128 directions, is d^(1/3) times
            double top = measured * Math.cbrt(128);
            assertEquals(top, t.stiffest()[0], 1e-9 * top);
            assertEquals(2 * StepSizeTuner.ULA_BIAS / top, StepSizeTuner.stepSizes("ula", t.stiffest())[0], 1e-6 / top);
            assertEquals(StepSizeTuner.ULD_STABILITY / top, StepSizeTuner.stepSizes("uld", t.stiffest())[0], 1e-6 / top);
        }
    }

    /**
     * Two groups, moved in turn until half of burn-in: each one's recent acceptance sits at the
     * group target (its exponential average over about 20 of its moves of 16 chains has a
     * standard error near 0.03; 0.12 is four of those). Then joint moves tune the common scale:
     * MALA at the frozen step sizes accepts at 0.574 (16 chains × 500 steps: a standard error
     * near 0.01 with the steps' correlation; the dual average's own scatter about as much; 0.05).
     */
    @Test
    void eachGroupAcceptsAtItsTargetAndAJointMoveAtMalas() {
        SamplerSpec s = spec("mala", 2, 16, 800);
        try (CpuBackend b = new CpuBackend(NET, netTask(), 16, 2)) {
            StepSizeTuner t = tune(b, s, NET);
            for (int g = 0; g < 2; g++)
                assertEquals(t.groupTarget(), t.state().acceptance()[g], 0.12, "group " + g + " at " + Arrays.toString(t.groupEta()));
            float[] eta = t.eta();
            assertEquals(t.groupEta()[0] / t.groupEta()[1], (double) eta[0] / eta[1], 1e-5 * eta[0] / eta[1], "the groups' ratio kept");
            Sampler mala = t.sampler();
            long[] before = b.accepted();
            for (int i = 0; i < 500; i++) mala.step(b);
            long n = 0;
            long[] after = b.accepted();
            for (int c = 0; c < 16; c++) n += after[c] - before[c];
            assertEquals(StepSizeTuner.MALA_TARGET, n / 8000.0, 0.05, "joint acceptance at " + Arrays.toString(t.eta()));
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
        try (CpuBackend b = new CpuBackend(NET, netTask(), 6, 2)) {
            StepSizeTuner t = new StepSizeTuner(s, NET);
            b.load(Sampler.of(s).start(ChainState.fromPrior(NET, 6, s.seed()), NET));
            b.gradient();
            assertEquals(t.state(), Checkpoint.tuning(Checkpoint.tuning(t.state())), "before any step: acceptances not measured");
            for (int i = 0; i < 100; i++) t.step(b);
            assertEquals(null, t.state().eta());
            assertEquals(t.state(), Checkpoint.tuning(Checkpoint.tuning(t.state())));
        }
    }

    /** A MALA move of one group leaves the other's parameters exactly as they were. */
    @Test
    void aGroupHeldStillDoesNotMove() {
        try (CpuBackend b = new CpuBackend(NET, netTask(), 4, 2)) {
            b.load(ChainState.fromPrior(NET, 4, 1));
            b.gradient();
            float[] w = b.snapshot().params()[0].clone(), a = b.snapshot().params()[1].clone();
            Mala onlyA = new Mala(new float[]{0, 0.001f});
            for (int i = 0; i < 20; i++) onlyA.step(b);
            assertArrayEquals(w, b.snapshot().params()[0]);
            assertTrue(!Arrays.equals(a, b.snapshot().params()[1]), "the readout moved");
            long n = 0;
            for (long x : b.accepted()) n += x;
            assertTrue(n > 0, "proposals of the readout alone are accepted");
        }
    }

    @Test
    void tuningNeedsABurnInAndASpecThatAsksForIt() {
        SpecException e = assertThrows(SpecException.class, () -> spec("mala", 2, 4, 100));
        assertTrue(e.getMessage().contains("burn-in") && e.getMessage().contains("--eta auto"), e.getMessage());
        SamplerSpec fixed = new SamplerSpec("mala", new float[]{0.01f, 0.01f}, 4, 1000, 400, 10, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> new StepSizeTuner(fixed, NET));
        assertThrows(IllegalArgumentException.class, () -> new Mala(new float[]{0, 0}));
    }
}
