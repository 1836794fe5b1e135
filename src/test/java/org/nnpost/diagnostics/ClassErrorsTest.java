package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.Traces;

class ClassErrorsTest {
    @Test
    void meanPredictorErrorCountsArgmaxMistakesPerTrueClass() {
        int[] labels = {0, 0, 1, 1, 1, 2};
        double[] f = {   // [input][class]
                0.9, 0.1, 0.0,    // right
                0.2, 0.7, 0.1,    // wrong (says 1)
                0.0, 1.0, 0.0,    // right
                0.5, 0.4, 0.1,    // wrong (says 0)
                0.3, 0.3, 0.3,    // a three-way tie goes to class 0: wrong
                0.1, 0.2, 0.3};   // right
        ClassErrors e = ClassErrors.of(f, 3, labels);
        assertArrayEquals(new double[]{0.5, 2.0 / 3, 0.0}, e.perClass(), 1e-15);
        assertEquals(3.0 / 6, e.overall(), 1e-15);
        assertArrayEquals(new long[]{2, 3, 1}, e.count());
    }

    @Test
    void classWithoutInputsHasUndefinedError() {
        ClassErrors e = ClassErrors.of(new double[]{1, 0, 0, 1}, 2, new int[]{0, 0});
        assertEquals(0.5, e.perClass()[0], 0);
        assertTrue(Double.isNaN(e.perClass()[1]));
    }

    @Test
    void gibbsErrorAveragesTheErrorOfSingleSamples() {
        int[] labels = {0, 1};
        ClassErrors.Gibbs g = new ClassErrors.Gibbs(2, labels);
        g.add(new double[]{1, 0, 0, 1});   // both right
        g.add(new double[]{0, 1, 0, 1});   // input 0 wrong
        g.add(new double[]{0, 1, 1, 0});   // both wrong
        ClassErrors e = g.result();
        assertEquals(3, g.samples());
        assertEquals(3.0 / 6, e.overall(), 1e-15);
        assertArrayEquals(new double[]{2.0 / 3, 1.0 / 3}, e.perClass(), 1e-15);
    }

    @Test
    void traceRecorderKeepsChainMajorOrder() {
        TraceRecorder r = new TraceRecorder(Traces.names("W1", "a"), 2, 1);   // grows past 1
        assertArrayEquals(new String[]{"potential", "loss", "sqnorm_W1", "sqnorm_a"}, r.names());
        for (int d = 0; d < 3; d++) r.record(new double[][]{{d, 10 + d, 0, 0}, {100 + d, 0, 0, 0}});
        assertArrayEquals(new double[]{0, 1, 2, 100, 101, 102}, r.flat(0));
        assertEquals(11.0, r.mean(1) * 2, 1e-12);   // chain 0: 10, 11, 12; chain 1: zeros
    }
}
