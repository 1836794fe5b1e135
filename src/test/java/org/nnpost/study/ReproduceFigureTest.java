package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.nnpost.backend.BackendSpec;
import org.nnpost.model.Phi;
import org.nnpost.run.RunConfig;

/** The figures' recipes: the captions' parameters at scale 1, and what --scale keeps. */
class ReproduceFigureTest {

    @Test
    void scaleOneIsThePapersCaptions() {
        List<ReproduceFigure.Recipe> f1 = ReproduceFigure.FIG1.recipes(1, null);
        assertEquals(3, f1.size());
        assertEquals(List.of(Phi.LINEAR, Phi.ERF, Phi.RELU), f1.stream().map(r -> r.model().phi()).toList());
        for (ReproduceFigure.Recipe r : f1) {
            assertEquals(500, r.model().N());
            assertEquals(500, r.task().P());
            assertEquals(510, r.model().N0());
            assertEquals(-1, r.task().yMinus());
        }
        ReproduceFigure.Recipe f2 = ReproduceFigure.FIG2.recipes(1, null).get(0);
        assertEquals(2, f2.model().L());
        assertEquals(200, f2.model().N());
        assertEquals(220, f2.model().N0());
        assertArrayEquals(new double[]{0.5, 0.25, 0.25}, f2.task().classWeights());
        assertTrue(f2.task().fixedRatios());
        assertEquals(0, f2.task().yMinus());
        assertEquals(ReproduceFigure.ETA_DEEP, f2.eta(), "the two-layer orthogonal task needs a smaller step");
        assertEquals(2 * ReproduceFigure.STEPS, f2.steps());
        ReproduceFigure.Recipe f3 = ReproduceFigure.FIG3.recipes(1, null).get(0);
        assertEquals("mnist", f3.task().kind());
        assertArrayEquals(new int[]{0, 1, 2}, f3.task().classes());
        assertEquals(784, f3.model().N0());
        assertEquals(100, f3.task().P());
        assertEquals(1000, f3.task().Ptest());
        ReproduceFigure.Recipe f4 = ReproduceFigure.FIG4.recipes(1, null).get(0);
        assertEquals(Phi.ERF, f4.model().phi());
        assertEquals(520, f4.model().N0());
        assertEquals(0.5, f4.task().yMinus());
        List<ReproduceFigure.Recipe> f5 = ReproduceFigure.FIG5.recipes(1, null);
        assertEquals(ReproduceFigure.FIG5_Y_MINUS.length, f5.size());
        assertEquals(f5.size(), f5.stream().map(ReproduceFigure.Recipe::name).distinct().count(), "run names are distinct");
    }

    @Test
    void scaleShrinksSizesAndKeepsTheRest() {
        ReproduceFigure.Recipe r = ReproduceFigure.FIG1.recipes(0.1, null).get(0);
        assertEquals(50, r.model().N());
        assertEquals(50, r.task().P());
        assertEquals(51, r.model().N0());
        ReproduceFigure.Recipe f4 = ReproduceFigure.FIG4.recipes(0.1, null).get(0);
        assertEquals(52, f4.model().N0());
        assertArrayEquals(new double[]{0.5, 0.25, 0.25}, f4.task().classWeights());
        assertEquals(784, ReproduceFigure.FIG3.recipes(0.1, null).get(0).model().N0(), "images keep their pixels");
        assertEquals(100, ReproduceFigure.FIG3.recipes(0.1, null).get(0).task().Ptest());
    }

    @Test
    void tinyScaleKeepsEveryTaskValid() {
        for (ReproduceFigure f : ReproduceFigure.values())
            for (ReproduceFigure.Recipe r : f.recipes(1e-4, null)) {
                int m = r.model().m();
                assertTrue(r.task().P() >= 2 * m, r.name() + ": two inputs per class at least");
                if (!r.task().isImages()) assertTrue(r.task().P() <= r.model().N0(), r.name() + ": P <= N0");
                assertTrue(r.model().N() >= 4, r.name());
            }
    }

    @Test
    void overriddenStepsKeepBurnInAndDrawsInProportion() {
        Reproduce.Request q = new Reproduce.Request(ReproduceFigure.FIG1, 0.1, java.nio.file.Path.of("x"), 1, BackendSpec.cpu(1),
                1000, 2, null, "off");
        RunConfig c = Reproduce.config(q, ReproduceFigure.FIG1.recipes(0.1, null).get(0), java.nio.file.Path.of("x", "linear"));
        assertEquals(1000, c.sampler().steps());
        assertEquals(400, c.sampler().burnIn());
        assertEquals(20, c.sampler().every());
        assertEquals(30, c.sampler().draws());
        assertEquals(10, c.sampler().keepDraws());
        Reproduce.Request d = new Reproduce.Request(ReproduceFigure.FIG1, 0.1, java.nio.file.Path.of("x"), 1, BackendSpec.cpu(1),
                0, 2, null, "off");
        assertEquals(ReproduceFigure.STEPS, Reproduce.config(d, ReproduceFigure.FIG1.recipes(0.1, null).get(0),
                java.nio.file.Path.of("x")).sampler().steps());
    }
}
