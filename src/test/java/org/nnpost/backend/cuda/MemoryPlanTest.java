package org.nnpost.backend.cuda;

import org.junit.jupiter.api.Test;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryPlanTest {
    static final ModelSpec BENCH = new ModelSpec(1, 500, 520, 2, Phi.RELU, Scaling.MEANFIELD, 1, true, 1, 1);

    @Test
    void perChainBytesOfTheBenchmarkModelAreCountedBufferByBuffer() {
        MemoryPlan plan = MemoryPlan.of(BENCH, 500, 100, false);
        long params = 500L * 520 + 2L * 500;
        long floats = 2 * params + 500L * 500 + 2L * 2 * 500 + 500L * 100 + 2L * 100;
        long doubles = 2L * (2 + 2) + 2 + 2;
        assertEquals(4 * floats + 8 * doubles + 20, plan.perChainBytes());
        // MALA adds the saved parameters and gradients
        assertEquals(plan.perChainBytes() + 8 * params, MemoryPlan.of(BENCH, 500, 100, true).perChainBytes());
    }

    @Test
    void sharedBytesHoldDataKernelSumsAndTheCublasWorkspace() {
        MemoryPlan plan = MemoryPlan.of(BENCH, 500, 100, false);
        long floats = 2L * 520 * 500 + 520L * 100 + 2L * 500 + 2 + 500L * 500;
        long doubles = 500L * 500 + 100L * 100 + 2L * 2 * 600;
        assertEquals(4 * floats + 8 * doubles + 8 + CudaContext.CUBLAS_WORKSPACE, plan.sharedBytes());
    }

    @Test
    void maxChainsIsTheLargestCountThatFits() {
        MemoryPlan plan = MemoryPlan.of(BENCH, 500, 100, false);
        long free = 8L << 30;
        int k = plan.maxChains(free);
        assertTrue(plan.fits(k, free));
        assertFalse(plan.fits(k + 1, free));
        assertEquals(0, plan.maxChains(MemoryPlan.RESERVE));
    }

    @Test
    void tooLargeSaysHowManyChainsWouldFit() {
        MemoryPlan plan = MemoryPlan.of(BENCH, 500, 100, false);
        long free = 8L << 30;
        String msg = plan.tooLarge(100_000, free);
        assertTrue(msg.contains("at most " + plan.maxChains(free) + " chains fit"), msg);
        assertTrue(msg.startsWith("100000 chains need "), msg);
        assertFalse(msg.contains("\n"));
    }

    @Test
    void deepNetworksAddHiddenActivationsAndTheBackpropScratch() {
        ModelSpec two = new ModelSpec(2, 100, 50, 3, Phi.ERF, Scaling.LAZY, 1, true, 1, 1);
        ModelSpec one = new ModelSpec(1, 100, 50, 3, Phi.ERF, Scaling.LAZY, 1, true, 1, 1);
        long diff = MemoryPlan.of(two, 40, 0, false).perChainBytes() - MemoryPlan.of(one, 40, 0, false).perChainBytes();
        // W2 and its gradient, z2, h1, d, one more traces column (twice, saved) and one more norm
        assertEquals(4 * (2L * 100 * 100 + 3L * 100 * 40) + 8 * 3, diff);
    }
}
