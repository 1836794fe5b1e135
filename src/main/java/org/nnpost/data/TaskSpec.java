package org.nnpost.data;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * The data a run learns (SPEC §5), as settings that check themselves; {@link #build()} makes the
 * arrays. Whoever makes one (flags, a config file, a figure recipe, a test) meets the same rules,
 * in the words of {@link SpecException}.
 *
 * @param kind         "orthogonal", or an image dataset: "mnist", "fashion-mnist", "cifar10"
 * @param classWeights orthogonal task: class probabilities (fixedRatios false, summing to 1) or
 *                     ratios (true, any positive numbers); kept as given, the generator divides
 *                     by their sum. Image tasks: one equal weight per chosen class (only m is used)
 * @param testOverlap  orthogonal task: cos of the angle between a test input and its training input
 * @param dataSeed     seed of the data (or of the image draw), separate from the sampler's seed
 * @param classes      image tasks: the dataset's labels to keep, in the order of the new labels
 * @param balanced     image tasks: equal counts per class (true) or a seeded random draw
 * @param center       image tasks: subtract the training mean pixel
 * @param normalize    image tasks: scale every input to ‖x‖² = N0
 * @param pixelScale   image tasks: a pixel of 255 becomes this value before centring
 * @param dataDir      image tasks: the datasets directory, or null for the default one
 *                     ({@link Datasets#directory}) at the time the data is read
 */
public record TaskSpec(String kind, int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                       double yPlus, double yMinus, double testOverlap, long dataSeed,
                       int[] classes, boolean balanced, boolean center, boolean normalize, double pixelScale,
                       Path dataDir) {

    public static final String ORTHOGONAL = "orthogonal";
    /** Every kind of task, as --task names them. */
    public static final String[] KINDS = {ORTHOGONAL, "mnist", "fashion-mnist", "cifar10"};
    /** Every image dataset here has ten classes. */
    public static final int DATASET_CLASSES = 10;

    public TaskSpec {
        Check.oneOf("task", kind, KINDS);
        boolean images = !kind.equals(ORTHOGONAL);
        Check.range("N0", N0, 1, Integer.MAX_VALUE);
        Check.range("P", P, 1, Integer.MAX_VALUE);
        Check.range("Ptest", Ptest, 1, Integer.MAX_VALUE);
        Check.finite("y-plus", yPlus);
        Check.finite("y-minus", yMinus);
        Check.range("data-seed", dataSeed, 0, Long.MAX_VALUE);
        if (images) {
            int pixels = pixels(kind);
            Check.that(N0 == pixels, "N0", N0, "differs from the " + pixels + " pixels of " + kind, pixels + ", or leave N0 out");
            checkClasses(classes);
            Check.that(classWeights != null && classWeights.length == classes.length, "classes", list(classes),
                    "disagrees with the " + (classWeights == null ? 0 : classWeights.length) + " class weights", "one weight per class");
            Check.positive("pixel-scale", pixelScale);
            Check.that(P >= classes.length, "P", P, "fewer training inputs than the " + classes.length
                    + " classes of --classes " + list(classes) + ", so a class would have none", "P >= " + classes.length);
        } else {
            Check.that(P <= N0, "P", P, "larger than N0 = " + N0, "P <= N0, as the task's inputs are orthogonal");
            checkWeights(fixedRatios ? "class-ratios" : "class-probs", classWeights, fixedRatios);
            Check.between("test-overlap", testOverlap, 0, 1);
            checkEveryClassHasAnInput(N0, P, classWeights, fixedRatios, dataSeed);
        }
        classWeights = classWeights.clone();
        classes = classes == null ? null : classes.clone();
    }

    /** The orthogonal task. */
    public TaskSpec(String kind, int N0, int P, int Ptest, double[] classWeights, boolean fixedRatios,
                    double yPlus, double yMinus, double testOverlap, long dataSeed) {
        this(kind, N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus, testOverlap, dataSeed,
                null, true, true, true, 1, null);
    }

    /** What a list of class weights must be: positive numbers, one per class; probabilities also sum to 1. */
    public static String weightsAllowed(boolean ratios) {
        return ratios ? "numbers > 0, one per class" : "probabilities > 0 summing to 1, one per class";
    }

    private static void checkWeights(String key, double[] w, boolean ratios) {
        String allowed = weightsAllowed(ratios);
        Check.that(w != null && w.length > 0, key, null, "no class weights", allowed);
        double sum = 0;
        for (double x : w) {
            Check.that(x > 0 && Double.isFinite(x), key, list(w), "a weight is not positive", allowed);
            sum += x;
        }
        // a tolerance, so that 0.33,0.33,0.34 and 1/3 written to three places are both accepted
        Check.that(ratios || Math.abs(sum - 1) <= 1e-3, key, list(w), "sums to " + sum, allowed);
    }

    /** Below this chance of a class drawing no training input, the exact check is not worth its cost. */
    static final double EMPTY_CLASS_CHANCE = 1e-15;

    /**
     * Every class has at least one training input: a class without one has no error, no code and
     * no target the network is asked to learn, which is not the task asked for. Fixed ratios give
     * fixed counts, checked exactly. Labels drawn i.i.d. are a function of P, the probabilities and
     * the data seed, so a class that draws none is refused too, naming what to change (P, the data
     * seed, or fixed ratios); the labels are drawn again for the check, without the inputs, unless
     * the chance of an empty class is below {@link #EMPTY_CLASS_CHANCE}.
     */
    private static void checkEveryClassHasAnInput(int N0, int P, double[] w, boolean ratios, long dataSeed) {
        int m = w.length;
        double total = 0, smallest = Double.POSITIVE_INFINITY;
        for (double x : w) {
            total += x;
            smallest = Math.min(smallest, x);
        }
        if (ratios) {
            int[] count = OrthogonalTask.ratioCounts(P, w);
            for (int r = 0; r < m; r++)
                if (count[r] == 0) {
                    // floor(P w_r) >= 1 for every class from this P on
                    long enough = (long) Math.ceil(total / smallest);
                    if (enough < Integer.MAX_VALUE && !allPositive(OrthogonalTask.ratioCounts((int) enough, w))) enough++;   // rounding
                    throw SpecException.of("class-ratios", list(w), "class " + r + " gets no training input at P = " + P
                            + " (counts " + list(count) + ")", "ratios and P that give every class an input, such as P >= "
                            + enough + " with these ratios");
                }
            return;
        }
        double chance = 0;
        for (double x : w) chance += Math.pow(1 - x / total, P);
        if (chance < EMPTY_CLASS_CHANCE) return;
        int[] count = new int[m];
        for (int l : OrthogonalTask.trainingLabels(N0, P, w, false, dataSeed)) count[l]++;
        for (int r = 0; r < m; r++)
            Check.that(count[r] > 0, "P", P, "with class probabilities " + list(w) + " and data seed " + dataSeed
                    + " the drawn labels give class " + r + " no training input (counts " + list(count) + ")",
                    "a larger --P, another --data-seed, or --class-ratios for fixed counts");
    }

    private static boolean allPositive(int[] c) {
        for (int x : c) if (x <= 0) return false;
        return true;
    }

    private static void checkClasses(int[] classes) {
        String allowed = "distinct integers from 0 to " + (DATASET_CLASSES - 1) + ", at least one";
        Check.that(classes != null && classes.length > 0, "classes", null, "no classes", allowed);
        Set<Integer> seen = new HashSet<>();
        for (int c : classes)
            Check.that(c >= 0 && c < DATASET_CLASSES && seen.add(c), "classes", list(classes),
                    "not " + allowed.replace(", at least one", ""), allowed);
    }

    private static String list(double[] w) {
        StringBuilder b = new StringBuilder();
        for (double x : w) b.append(b.length() > 0 ? "," : "").append(x);
        return b.toString();
    }

    private static String list(int[] c) {
        StringBuilder b = new StringBuilder();
        for (int x : c) b.append(b.length() > 0 ? "," : "").append(x);
        return b.toString();
    }

    public int m() { return classWeights.length; }

    public boolean isImages() { return !kind.equals(ORTHOGONAL); }

    @Override public double[] classWeights() { return classWeights.clone(); }

    @Override public int[] classes() { return classes == null ? null : classes.clone(); }

    /** Input dimension of a dataset's images. */
    public static int pixels(String dataset) {
        return dataset.equals("cifar10") ? 3072 : 784;
    }

    public Task build() {
        if (!isImages())
            return OrthogonalTask.generate(N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus, testOverlap, dataSeed);
        ImageTask t = new ImageTask(classes, P, Ptest, balanced, center, normalize, pixelScale, yPlus, yMinus, dataSeed);
        Path dir = dataDir != null ? dataDir : Datasets.directory(null);
        return t.build(Datasets.load(dir, kind, false), Datasets.load(dir, kind, true));
    }
}
