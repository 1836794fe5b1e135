package org.nnpost.data;

import java.nio.file.Path;

/**
 * The data a run learns (SPEC §5), as validated settings; {@link #build()} makes the arrays.
 *
 * @param kind         "orthogonal", or an image dataset: "mnist", "fashion-mnist", "cifar10"
 * @param classWeights orthogonal task: class probabilities (fixedRatios false) or ratios (true);
 *                     image tasks: one weight per chosen class (only its length, m, is used)
 * @param testOverlap  orthogonal task: cos of the angle between a test input and its training input
 * @param dataSeed     seed of the data (or of the image draw), separate from the sampler's seed
 * @param classes      image tasks: the dataset's labels to keep, in the order of the new labels
 * @param balanced     image tasks: equal counts per class (true) or a seeded random draw
 * @param center       image tasks: subtract the training mean pixel
 * @param normalize    image tasks: scale every input to ‖x‖² = N0
 * @param pixelScale   image tasks: a pixel of 255 becomes this value before centring
 * @param dataDir      image tasks: the datasets directory
 */
public record TaskSpec(String kind, int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                       double yPlus, double yMinus, double testOverlap, long dataSeed,
                       int[] classes, boolean balanced, boolean center, boolean normalize, double pixelScale,
                       Path dataDir) {

    /** The orthogonal task. */
    public TaskSpec(String kind, int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                    double yPlus, double yMinus, double testOverlap, long dataSeed) {
        this(kind, N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus, testOverlap, dataSeed,
                null, true, true, true, 1, null);
    }

    public int m() { return classWeights.length; }

    public boolean isImages() { return !kind.equals("orthogonal"); }

    /** Input dimension of a dataset's images. */
    public static int pixels(String dataset) {
        return dataset.equals("cifar10") ? 3072 : 784;
    }

    public Task build() {
        if (!isImages())
            return OrthogonalTask.generate(N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus, testOverlap, dataSeed);
        ImageTask t = new ImageTask(classes, P, Ptest, balanced, center, normalize, pixelScale, yPlus, yMinus, dataSeed);
        return t.build(Datasets.load(dataDir, kind, false), Datasets.load(dataDir, kind, true));
    }
}
