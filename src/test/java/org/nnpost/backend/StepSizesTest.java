package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class StepSizesTest {

    @Test
    void noiseScalesAreRoundedOnceFromEachStepSize() {
        StepSizes h = StepSizes.of(0.5f, 0.01f, 3e-4f);
        assertEquals(3, h.groups());
        assertArrayEquals(new float[]{0.5f, 0.01f, 3e-4f}, h.eta(), 0);
        assertEquals(1f, h.noiseScale(0), 0);
        assertEquals((float) Math.sqrt(2.0 * 0.01f), h.noiseScale(1), 0);
        assertEquals((float) Math.sqrt(2.0 * 3e-4f), h.noiseScale()[2], 0);
        assertEquals(StepSizes.of(0.5f, 0.01f, 3e-4f), h);
        assertEquals(StepSizes.of(0.5f, 0.01f, 3e-4f).hashCode(), h.hashCode());
    }

    @Test
    void stepSizesMustBeFiniteAndNotNegativeAndOneMustMove() {
        for (float bad : new float[]{-0.1f, Float.NaN, Float.POSITIVE_INFINITY})
            assertThrows(IllegalArgumentException.class, () -> StepSizes.of(0.1f, bad), "eta " + bad);
        assertThrows(IllegalArgumentException.class, StepSizes::of);
        assertThrows(IllegalArgumentException.class, () -> StepSizes.of(0f, 0f), "nothing moves");
        StepSizes still = StepSizes.of(0.1f, 0f);
        assertTrue(still.moves(0) && !still.moves(1), "a group at 0 is held still");
        assertEquals(0f, still.noiseScale(1));
        assertThrows(IllegalArgumentException.class, () -> new StepSizes(new float[]{0.5f}, new float[]{0.9f}),
                "a noise scale that is not √(2η)");
        assertThrows(IllegalArgumentException.class, () -> new StepSizes(new float[]{0.5f}, new float[]{1f, 1f}));
    }

    @Test
    void theArraysAreCopies() {
        float[] eta = {0.1f, 0.2f};
        StepSizes h = StepSizes.of(eta);
        eta[0] = 7;
        h.eta()[1] = 7;
        h.noiseScale()[1] = 7;
        assertArrayEquals(new float[]{0.1f, 0.2f}, h.eta(), 0);
        assertEquals(StepMath.noiseScale(0.2f), h.noiseScale(1), 0);
    }

    /** A backend refuses step sizes for another number of groups before it moves anything. */
    @Test
    void aBackendRefusesSizesForAnotherNumberOfGroups() {
        ModelSpec spec = new ModelSpec(1, 6, 5, 2, Phi.RELU, Scaling.MEANFIELD, 2, true, 1, 1);
        Task task = OrthogonalTask.generate(5, 4, 2, new double[]{.5, .5}, true, 1, -1, 0.5, 1);
        try (CpuBackend b = new CpuBackend(spec, task, 2, 1)) {
            ChainState s = ChainState.fromPrior(spec, 2, 1);
            b.load(s);
            b.gradient();
            StepSizes three = StepSizes.of(0.1f, 0.1f, 0.1f);
            assertThrows(IllegalArgumentException.class, () -> b.move(three, false));
            b.save();
            assertThrows(IllegalArgumentException.class, () -> b.metropolis(three));
            assertArrayEquals(s.params()[0], b.snapshot().params()[0], "nothing moved");
        }
    }
}
