package org.nnpost.run;

import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;

/**
 * The data a run learns (SPEC §5), as validated settings; {@link #build()} makes the arrays.
 * Only the orthogonal task exists so far; image tasks join as further kinds.
 *
 * @param classWeights class probabilities (fixedRatios false) or ratios (true); length m
 * @param testOverlap  cos of the angle between a test input and the training input it is built on
 * @param dataSeed     seed of the data, separate from the sampler's seed
 */
public record TaskSpec(String kind, int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                       double yPlus, double yMinus, double testOverlap, long dataSeed) {

    public int m() { return classWeights.length; }

    public Task build() {
        return switch (kind) {
            case "orthogonal" -> OrthogonalTask.generate(N0, P, Ptest, classWeights, fixedRatios,
                    yPlus, yMinus, testOverlap, dataSeed);
            default -> throw new IllegalArgumentException("unknown task kind " + kind);
        };
    }
}
