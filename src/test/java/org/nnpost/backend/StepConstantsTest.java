package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import org.nnpost.data.Dataset;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/** The step constants are the model's numbers, rounded once, and the targets in the outputs' layout. */
class StepConstantsTest {
    // L = 2, N = 12, N0 = 10, m = 3: 12·10 + 12·12 + 3·12 = 300 parameters per chain
    static final ModelSpec SPEC = new ModelSpec(2, 12, 10, 3, Phi.ERF, Scaling.MEANFIELD, 3.0, true, 1.5, 0.7);
    static final Task TASK = OrthogonalTask.generate(10, 8, 4, new double[]{.5, .25, .25}, true, 1, -0.5, 0.5, 2);

    @Test
    void valuesAreTheModelsRoundedToFloatWhereTheStepUsesFloats() {
        StepConstants k = StepConstants.of(SPEC, TASK.train());
        double beta = 3.0 * 12;   // β₀ N^(2γ−1), γ = 1
        assertEquals(beta, SPEC.beta(), 1e-12);
        assertEquals(SPEC.beta(), k.beta(), 0);
        assertEquals((float) SPEC.beta(), k.betaFloat(), 0);
        assertEquals(SPEC.groups(), k.groups());
        for (int g = 0; g < SPEC.groups(); g++) {
            assertEquals((float) (1.0 / SPEC.priorVariance(g)), k.invVar(g), 0, "1/σ² of group " + g);
            assertEquals((float) SPEC.scale(g), k.scale(g), 0, "scale of group " + g);
            assertEquals(k.invVar(g), k.invVar()[g], 0);
            assertEquals(k.scale(g), k.scale()[g], 0);
        }
        assertEquals(1 / 1.5f, k.invVar(0), 1e-7f);
        assertEquals(1 / 0.7f, k.invVar(2), 1e-6f);
        assertEquals(1 / (float) Math.sqrt(10), k.scale(0), 1e-7f);
        assertEquals(1 / 12f, k.scale(2), 1e-8f);
    }

    /** 10⁴ times the scale U has at initialisation: one unit per parameter, β per target entry. */
    @Test
    void divergenceLimitIsTenThousandTimesTheInitialScaleOfU() {
        StepConstants k = StepConstants.of(SPEC, TASK.train());
        int P = TASK.train().P();
        assertEquals(300, SPEC.paramsPerChain());
        assertEquals(1e4 * (300 + SPEC.beta() * P * 3), k.divergenceLimit(), 0);
    }

    @Test
    void targetsAreTransposedToOutputsTimesInputs() {
        Dataset d = TASK.train();
        StepConstants k = StepConstants.of(SPEC, d);
        float[] yT = k.yT();
        assertEquals(d.P() * d.m(), yT.length);
        for (int mu = 0; mu < d.P(); mu++)
            for (int r = 0; r < d.m(); r++) assertEquals(d.y()[mu * d.m() + r], yT[r * d.P() + mu], 0);
    }

    @Test
    void arraysAreCopiesSoTheConstantsStayConstant() {
        StepConstants k = StepConstants.of(SPEC, TASK.train());
        float iv = k.invVar(1), y0 = k.yT()[0];
        k.invVar()[1] = 99;
        k.scale()[1] = 99;
        k.yT()[0] = 99;
        assertEquals(iv, k.invVar(1), 0);
        assertEquals(y0, k.yT()[0], 0);
        float[] mine = {1, 2};
        StepConstants own = new StepConstants(1, 1, mine, new float[]{1, 1}, 1, new float[]{0});
        mine[0] = 5;
        assertEquals(1, own.invVar(0), 0);
    }

    @Test
    void targetsForAnotherNumberOfOutputsAreRefused() {
        ModelSpec two = new ModelSpec(1, 12, 10, 2, Phi.ERF, Scaling.MEANFIELD, 3.0, true, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> StepConstants.of(two, TASK.train()));
    }
}
