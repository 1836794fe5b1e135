package org.nnpost.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.nnpost.spec.SpecException;

/** Every class of a task has at least one training input, or the task is refused naming what to change. */
class TaskSpecTest {

    static TaskSpec orthogonal(int P, double[] w, boolean ratios, long seed) {
        return new TaskSpec("orthogonal", 64, P, 4, w, ratios, 1, -1, 0.5, seed);
    }

    @Test
    void fixedRatiosThatLeaveAClassWithoutAnInputAreRefused() {
        SpecException e = assertThrows(SpecException.class, () -> orthogonal(1, new double[]{0.5, 0.5}, true, 1));
        assertEquals("class-ratios", e.key());
        assertEquals("--class-ratios 0.5,0.5: class 1 gets no training input at P = 1 (counts 1,0) "
                + "(allowed: ratios and P that give every class an input, such as P >= 2 with these ratios)", e.getMessage());
        SpecException f = assertThrows(SpecException.class, () -> orthogonal(10, new double[]{0.9, 0.05, 0.05}, true, 1));
        assertTrue(f.getMessage().contains("such as P >= 20"), f.getMessage());
        // the suggested P does give every class an input
        assertArrayEquals(new int[]{18, 1, 1}, OrthogonalTask.ratioCounts(20, new double[]{0.9, 0.05, 0.05}));
        orthogonal(2, new double[]{0.5, 0.5}, true, 1);
        orthogonal(3, new double[]{0.5, 0.25, 0.25}, true, 1);
    }

    @Test
    void drawnLabelsThatLeaveAClassWithoutAnInputAreRefusedNamingPAndTheSeed() {
        int refused = 0;
        for (long seed = 1; seed <= 20; seed++) {
            int[] labels = OrthogonalTask.trainingLabels(64, 3, new double[]{0.5, 0.5}, false, seed);
            boolean empty = labels[0] == labels[1] && labels[1] == labels[2];
            long s = seed;
            if (empty) {
                SpecException e = assertThrows(SpecException.class, () -> orthogonal(3, new double[]{0.5, 0.5}, false, s));
                assertEquals("P", e.key());
                assertTrue(e.getMessage().startsWith("--P 3: with class probabilities 0.5,0.5 and data seed " + seed
                        + " the drawn labels give class " + (1 - labels[0]) + " no training input"), e.getMessage());
                assertTrue(e.getMessage().endsWith("(allowed: a larger --P, another --data-seed, or --class-ratios for fixed counts)"),
                        e.getMessage());
                refused++;
            } else {
                orthogonal(3, new double[]{0.5, 0.5}, false, seed);
            }
        }
        // three fair draws agree one time in four
        assertTrue(refused > 0 && refused < 20, refused + " of 20 refused");
    }

    /** The check draws the labels again without the inputs: they must be the very labels the task is built with. */
    @Test
    void labelsDrawnForTheCheckAreTheTasksOwn() {
        for (long seed : new long[]{0, 1, 7, 123456789}) {
            for (boolean ratios : new boolean[]{false, true}) {
                double[] w = {0.5, 0.3, 0.2};
                Task t = OrthogonalTask.generate(17, 11, 3, w, ratios, 1, -1, 0.5, seed);
                assertArrayEquals(t.train().labels(), OrthogonalTask.trainingLabels(17, 11, w, ratios, seed), "seed " + seed);
            }
        }
    }

    @Test
    void balancedImagesNeedAtLeastOneInputPerClass() {
        SpecException e = assertThrows(SpecException.class, () -> new TaskSpec("mnist", 784, 2, 4, new double[]{1 / 3.0, 1 / 3.0, 1 / 3.0},
                false, 1, -1, 0.5, 1, new int[]{0, 1, 2}, true, true, true, 1, null));
        assertEquals("P", e.key());
        assertTrue(e.getMessage().startsWith("--P 2: fewer training inputs than the 3 classes"), e.getMessage());
    }
}
