package org.nnpost.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.StepMath;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Traces;
import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.rng.Noise;

/** The samplers as compositions of the backend's primitives, and what they report. */
class SamplerTest {
    static final ModelSpec SPEC = new ModelSpec(1, 12, 10, 3, Phi.ERF, Scaling.MEANFIELD, 3.0, true, 1.0, 1.0);
    static final Task TASK = OrthogonalTask.generate(10, 8, 4, new double[]{.5, .25, .25}, true, 1, 0, 0.5, 3);
    static final int C = 4;

    static CpuBackend loaded(int seed) {
        CpuBackend b = new CpuBackend(SPEC, TASK, C, 2);
        b.load(ChainState.fromPrior(SPEC, C, seed));
        return b;
    }

    @Test
    void ofMakesTheNamedAlgorithmWithItsStepSizes() {
        Sampler u = Sampler.of("ula", new float[]{0.01f, 0.02f}), m = Sampler.of("mala", new float[]{0.01f, 0.02f});
        assertInstanceOf(Ula.class, u);
        assertInstanceOf(Mala.class, m);
        assertEquals("ula", u.name());
        assertEquals("mala", m.name());
        assertEquals(StepSizes.of(0.01f, 0.02f), u.stepSizes());
        assertEquals(new Ula(new float[]{0.01f, 0.02f}), u);
        assertThrows(IllegalArgumentException.class, () -> Sampler.of("hmc", new float[]{0.01f}));
        assertThrows(IllegalArgumentException.class, () -> Sampler.of("ula", new float[]{0.01f, 0f}));
    }

    /** A ULA step is move, advance, gradient: the primitives called by hand give the same bits. */
    @Test
    void ulaStepIsMoveAdvanceGradient() {
        StepSizes h = StepSizes.of(0.01f, 0.005f);
        try (CpuBackend a = loaded(3); CpuBackend b = loaded(3)) {
            Sampler ula = new Ula(h);
            ula.init(a);
            b.gradient();
            for (int k = 0; k < 5; k++) {
                ula.step(a);
                b.move(h, false);
                assertEquals(k, b.step(), "a move does not advance the step");
                b.advance();
                b.gradient();
            }
            assertEquals(5, a.step());
            assertStatesEqual(a, b);
        }
    }

    /**
     * A MALA step is save, move(proposal), gradient, metropolis, advance; a chain rejected at a
     * step is back at its saved parameters and traces bit for bit, and each decision is the one
     * StepMath's formulas give, recomputed here from the proposal, its gradient, the noise and the
     * uniform of the step.
     */
    @Test
    void malaStepIsSaveMoveGradientMetropolisAdvance() {
        StepSizes h = StepSizes.of(0.05f, 0.05f);   // about half the proposals accepted here
        try (CpuBackend a = loaded(4); CpuBackend b = loaded(4)) {
            Sampler mala = new Mala(h);
            mala.init(a);
            b.gradient();
            int rejected = 0, accepted = 0;
            for (int k = 0; k < 20; k++) {
                mala.step(a);
                ChainState before = b.snapshot();
                double[][] tracesBefore = b.traces();
                long[] acceptedBefore = b.accepted();
                b.save();
                b.move(h, true);
                b.gradient();
                boolean[] predicted = decisions(b, before, tracesBefore, h);
                b.metropolis(h);
                assertEquals(k, b.step(), "metropolis does not advance the step");
                ChainState after = b.snapshot();
                double[][] tracesAfter = b.traces();
                long[] acc = b.accepted();
                for (int c = 0; c < C; c++) {
                    boolean took = acc[c] == acceptedBefore[c] + 1;
                    if (took) accepted++;
                    else {
                        rejected++;
                        assertEquals(acceptedBefore[c], acc[c]);
                        for (int g = 0; g < SPEC.groups(); g++)
                            assertArrayEquals(before.chainGroup(SPEC, g, c), after.chainGroup(SPEC, g, c), "rejected chain " + c);
                        assertArrayEquals(tracesBefore[c], tracesAfter[c], "rejected chain's traces");
                    }
                    assertEquals(predicted[c], took, "step " + k + " chain " + c);
                }
                b.advance();
            }
            assertTrue(rejected > 5 && accepted > 5, "both branches ran: " + accepted + " accepted, " + rejected + " rejected");
            assertStatesEqual(a, b);
            assertArrayEquals(a.accepted(), b.accepted());
        }
    }

    /** MALA's decisions for the proposal the backend holds now (after move(h, true) and gradient()). */
    static boolean[] decisions(CpuBackend b, ChainState before, double[][] tracesBefore, StepSizes h) {
        ChainState proposal = b.snapshot();
        double[][] t = b.traces();
        boolean[] accept = new boolean[C];
        for (int c = 0; c < C; c++) {
            double forward = 0, reverse = 0;
            for (int g = 0; g < SPEC.groups(); g++) {
                int size = SPEC.groupSize(g);
                float[] xi = new float[size], old = before.chainGroup(SPEC, g, c), now = proposal.chainGroup(SPEC, g, c);
                float[] grad = b.likelihoodGradient(g);
                Noise.normals(before.seed(), c, before.step(), g, xi, 0, size);
                double shares = 0;
                for (int i = 0; i < size; i++) {
                    forward += 0.5 * xi[i] * xi[i];
                    shares += StepMath.reverseShare(old[i], now[i], grad[c * size + i], h.eta(g),
                            (float) (1.0 / SPEC.priorVariance(g)));
                }
                reverse += StepMath.reverseTerm(shares, h.eta(g));
            }
            double logAlpha = StepMath.logAcceptance(t[c][Traces.POTENTIAL], tracesBefore[c][Traces.POTENTIAL], forward, reverse);
            accept[c] = StepMath.accepts(Noise.uniform(before.seed(), c, before.step(), Noise.EXTRA_GROUP), logAlpha);
        }
        return accept;
    }

    @Test
    void metropolisBeforeSaveIsRefused() {
        try (CpuBackend b = loaded(5)) {
            b.gradient();
            b.move(StepSizes.of(0.01f, 0.01f), true);
            b.gradient();
            assertThrows(IllegalStateException.class, () -> b.metropolis(StepSizes.of(0.01f, 0.01f)));
        }
    }

    /** Info reports the step, acceptance counts, divergence flags and U of each chain. */
    @Test
    void infoReportsWhereTheChainsStand() {
        try (CpuBackend b = loaded(6)) {
            Sampler mala = Sampler.of("mala", new float[]{0.05f, 0.05f});
            mala.init(b);
            Sampler.Info start = mala.info(b);
            assertEquals(0, start.step());
            assertArrayEquals(new long[C], start.accepted());
            for (int k = 0; k < 30; k++) mala.step(b);
            Sampler.Info info = mala.info(b);
            assertEquals(30, info.step());
            assertEquals(C, info.chains());
            assertArrayEquals(b.accepted(), info.accepted());
            assertArrayEquals(b.divergedAt(), info.divergedAt());
            assertEquals(0, info.diverged());
            double[][] t = b.traces();
            for (int c = 0; c < C; c++) assertEquals(t[c][Traces.POTENTIAL], info.potential()[c], 0);
            double rate = info.acceptanceSince(start);
            assertEquals(Arrays.stream(b.accepted()).sum() / 30.0 / C, rate, 1e-15);
            assertTrue(rate > 0 && rate < 1, "rate " + rate);
            assertThrows(IllegalArgumentException.class, () -> start.acceptanceSince(info));
            // immutable: the arrays handed out are copies
            info.accepted()[0] = -5;
            assertNotEquals(-5, info.accepted()[0]);
            assertEquals(info, Sampler.Info.of(b));
        }
        try (CpuBackend b = loaded(6)) {
            Sampler ula = Sampler.of("ula", new float[]{3f, 3f});
            ula.init(b);
            for (int k = 0; k < 5; k++) ula.step(b);
            Sampler.Info info = ula.info(b);
            assertArrayEquals(new long[C], info.accepted(), "ULA proposes nothing");
            assertTrue(info.diverged() > 0, "η = 3 blows up");
            for (long at : info.divergedAt()) assertTrue(at == -1 || (at >= 1 && at <= 5));
        }
    }

    static void assertStatesEqual(CpuBackend a, CpuBackend b) {
        ChainState x = a.snapshot(), y = b.snapshot();
        assertEquals(x.step(), y.step());
        for (int g = 0; g < SPEC.groups(); g++) assertArrayEquals(x.params()[g], y.params()[g], "group " + g);
        assertArrayEquals(a.traces(), b.traces());
        assertArrayEquals(a.divergedAt(), b.divergedAt());
    }
}
