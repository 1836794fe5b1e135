package org.nnpost.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A classification task cut from an image dataset (SPEC §5): chosen classes relabelled 0..m−1,
 * P training and P* test examples, pixels scaled to [0, pixelScale], optionally centred on the
 * training mean and normalised to ‖x‖² = N0 (the orthogonal task's convention, so β₀ and η carry
 * over; normalising makes the pixel scale irrelevant).
 *
 * @param classes  dataset labels to keep, in the order that defines the new labels
 * @param balanced true: equal counts per class (remainder to the first classes); false: a
 *                 seeded uniform draw among the chosen classes' examples
 */
public record ImageTask(int[] classes, int P, int Ptest, boolean balanced, boolean center, boolean normalize,
                        double pixelScale, double yPlus, double yMinus, long seed) {

    public Task build(Images train, Images test) {
        for (int c : classes)
            if (c < 0 || c >= train.classes())
                throw new DataException("class " + c + " does not exist in " + train.name() + " (0.." + (train.classes() - 1) + ")");
        SplittableRandom rng = new SplittableRandom(seed ^ 0x696D61676573L);
        int[] trainIdx = select(train, P, rng, "training");
        int[] testIdx = select(test, Ptest, rng, "test");
        int n0 = train.pixelsPerImage();
        float[] x = pixels(train, trainIdx, pixelScale), xt = pixels(test, testIdx, pixelScale);
        if (center) {
            double[] mean = new double[n0];
            for (int k = 0; k < P; k++) for (int j = 0; j < n0; j++) mean[j] += x[k * n0 + j];
            for (int j = 0; j < n0; j++) mean[j] /= Math.max(P, 1);
            subtract(x, P, n0, mean);
            subtract(xt, Ptest, n0, mean);
        }
        if (normalize) {
            normalizeRows(x, P, n0);
            normalizeRows(xt, Ptest, n0);
        }
        int m = classes.length;
        int[] l = relabel(train, trainIdx), lt = relabel(test, testIdx);
        // a random draw can miss a class (a balanced one cannot, as TaskSpec asks P >= m): a class
        // without a training input has no error, no code and no target to learn
        int[] count = new int[m];
        for (int r : l) count[r]++;
        for (int r = 0; r < m; r++)
            if (count[r] == 0)
                throw new DataException("--P " + P + " with --draw random and --data-seed " + seed + ": the drawn training examples "
                        + "give class " + classes[r] + " of --classes none (allowed: a larger --P, another --data-seed, or --draw balanced)");
        return new Task(train.name(),
                new Dataset(P, n0, m, x, l, Dataset.targets(l, m, yPlus, yMinus)),
                new Dataset(Ptest, n0, m, xt, lt, Dataset.targets(lt, m, yPlus, yMinus)));
    }

    private int newLabel(int original) {
        for (int r = 0; r < classes.length; r++) if (classes[r] == original) return r;
        return -1;
    }

    private int[] select(Images im, int count, SplittableRandom rng, String which) {
        int m = classes.length;
        List<List<Integer>> byClass = new ArrayList<>();
        for (int r = 0; r < m; r++) byClass.add(new ArrayList<>());
        for (int k = 0; k < im.count(); k++) {
            int r = newLabel(im.labels()[k]);
            if (r >= 0) byClass.get(r).add(k);
        }
        for (List<Integer> l : byClass) shuffle(l, rng);
        int[] out = new int[count];
        if (balanced) {
            int[] want = new int[m];
            for (int r = 0; r < m; r++) want[r] = count / m + (r < count % m ? 1 : 0);
            int k = 0;
            for (int r = 0; r < m; r++) {
                if (want[r] > byClass.get(r).size())
                    throw new DataException(im.name() + ": " + want[r] + " " + which + " examples of class " + classes[r]
                            + " asked for, only " + byClass.get(r).size() + " exist");
                for (int j = 0; j < want[r]; j++) out[k++] = byClass.get(r).get(j);
            }
            // interleave classes so prefixes of the set are balanced too
            shuffle(out, rng);
        } else {
            List<Integer> all = new ArrayList<>();
            for (List<Integer> l : byClass) all.addAll(l);
            if (count > all.size())
                throw new DataException(im.name() + ": " + count + " " + which + " examples asked for, the chosen classes have " + all.size());
            shuffle(all, rng);
            for (int j = 0; j < count; j++) out[j] = all.get(j);
        }
        return out;
    }

    private int[] relabel(Images im, int[] idx) {
        int[] l = new int[idx.length];
        for (int k = 0; k < idx.length; k++) l[k] = newLabel(im.labels()[idx[k]]);
        return l;
    }

    private static float[] pixels(Images im, int[] idx, double scale) {
        int n0 = im.pixelsPerImage();
        float[] x = new float[idx.length * n0];
        float f = (float) (scale / 255.0);
        for (int k = 0; k < idx.length; k++)
            for (int j = 0; j < n0; j++) x[k * n0 + j] = im.pixel(idx[k], j) * f;
        return x;
    }

    private static void subtract(float[] x, int n, int n0, double[] mean) {
        for (int k = 0; k < n; k++) for (int j = 0; j < n0; j++) x[k * n0 + j] = (float) (x[k * n0 + j] - mean[j]);
    }

    private static void normalizeRows(float[] x, int n, int n0) {
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int j = 0; j < n0; j++) s += (double) x[k * n0 + j] * x[k * n0 + j];
            if (s == 0) continue;
            double f = Math.sqrt(n0 / s);
            for (int j = 0; j < n0; j++) x[k * n0 + j] = (float) (x[k * n0 + j] * f);
        }
    }

    private static void shuffle(List<Integer> l, SplittableRandom rng) {
        for (int i = l.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = l.get(i); l.set(i, l.get(j)); l.set(j, t);
        }
    }

    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i]; a[i] = a[j]; a[j] = t;
        }
    }
}
