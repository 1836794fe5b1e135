package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.cpu.CpuBackend;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;

/** The trace row's columns: their names, and what the CPU backend writes into each. */
class TracesTest {
    static final ModelSpec SPEC = new ModelSpec(2, 12, 10, 2, Phi.TANH, Scaling.MEANFIELD, 4, true, 1.5, 0.7);
    static final Task TASK = OrthogonalTask.generate(10, 8, 4, new double[]{.5, .5}, true, 1, -1, 0.5, 2);

    @Test
    void namesAreThoseOfTheRunsTraceFiles() {
        assertArrayEquals(new String[]{"potential", "loss", "sqnorm_W1", "sqnorm_W2", "sqnorm_a"}, Traces.names(SPEC));
        ModelSpec linear = new ModelSpec(0, 5, 5, 3, Phi.LINEAR, Scaling.LAZY, 1, true, 1, 1);
        assertArrayEquals(new String[]{"potential", "loss", "sqnorm_a"}, Traces.names(linear));
        assertArrayEquals(Traces.names(SPEC), Traces.names("W1", "W2", "a"));
        assertEquals(5, Traces.width(SPEC.groups()));
        assertEquals(0, Traces.POTENTIAL);
        assertEquals(1, Traces.LOSS);
        assertEquals(2, Traces.SQNORM0);
        assertEquals(4, Traces.sqNorm(2));
    }

    /** Each column holds what its name says: ‖θ_g‖² of the parameters, and U = β·loss + Σ_g ‖θ_g‖²/(2σ_g²). */
    @Test
    void theCpuBackendFillsEachColumnWithWhatItsNameSays() {
        int C = 3;
        ChainState s = ChainState.fromPrior(SPEC, C, 5);
        try (CpuBackend b = new CpuBackend(SPEC, TASK, C, 1)) {
            b.load(s);
            b.gradient();
            double[][] t = b.traces();
            assertEquals(C, t.length);
            for (int c = 0; c < C; c++) {
                assertEquals(Traces.width(SPEC.groups()), t[c].length);
                double prior = 0;
                for (int g = 0; g < SPEC.groups(); g++) {
                    double sq = 0;
                    for (float v : s.chainGroup(SPEC, g, c)) sq += (double) v * v;
                    assertEquals(sq, t[c][Traces.sqNorm(g)], 1e-12 * sq, "chain " + c + " " + Traces.names(SPEC)[Traces.sqNorm(g)]);
                    prior += 0.5 * sq / SPEC.priorVariance(g);
                }
                double u = SPEC.beta() * t[c][Traces.LOSS] + prior;
                assertEquals(u, t[c][Traces.POTENTIAL], 1e-6 * u, "chain " + c + " U");
            }
        }
    }
}
