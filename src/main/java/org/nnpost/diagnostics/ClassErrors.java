package org.nnpost.diagnostics;

import java.util.Arrays;

/**
 * Classification error overall and per true class, of predictions given as outputs f, [input][class]
 * (n × m row-major), each input assigned to its largest output (the first on a tie).
 *
 * @param perClass error among inputs of class r; NaN for a class with no inputs
 * @param count    inputs per class
 */
public record ClassErrors(double overall, double[] perClass, long[] count) {

    public static ClassErrors of(double[] f, int m, int[] labels) {
        int n = labels.length;
        if (f.length != (long) n * m) throw new IllegalArgumentException("outputs and labels disagree");
        long[] wrong = new long[m], count = new long[m];
        for (int mu = 0; mu < n; mu++) {
            count[labels[mu]]++;
            if (argmax(f, mu * m, m) != labels[mu]) wrong[labels[mu]]++;
        }
        return from(wrong, count);
    }

    static ClassErrors from(long[] wrong, long[] count) {
        int m = count.length;
        double[] per = new double[m];
        long w = 0, total = 0;
        for (int r = 0; r < m; r++) {
            per[r] = count[r] == 0 ? Double.NaN : (double) wrong[r] / count[r];
            w += wrong[r];
            total += count[r];
        }
        return new ClassErrors(total == 0 ? Double.NaN : (double) w / total, per, count.clone());
    }

    static int argmax(double[] f, int off, int m) {
        int best = 0;
        for (int r = 1; r < m; r++) if (f[off + r] > f[off + best]) best = r;
        return best;
    }

    /**
     * The Gibbs error: the error of a single posterior sample's predictor, averaged over samples
     * (the mean predictor's error is usually lower, as averaging removes sample noise).
     */
    public static final class Gibbs {
        private final int m;
        private final int[] labels;
        private final long[] wrong, count;
        private long samples;

        public Gibbs(int m, int[] labels) {
            this.m = m;
            this.labels = labels.clone();
            this.wrong = new long[m];
            this.count = new long[m];
        }

        /** One sample's outputs, [input][class]. */
        public void add(double[] f) {
            for (int mu = 0; mu < labels.length; mu++) {
                count[labels[mu]]++;
                if (argmax(f, mu * m, m) != labels[mu]) wrong[labels[mu]]++;
            }
            samples++;
        }

        public long samples() { return samples; }

        public ClassErrors result() {
            if (samples == 0) {
                double[] nan = new double[m];
                Arrays.fill(nan, Double.NaN);
                return new ClassErrors(Double.NaN, nan, new long[m]);
            }
            ClassErrors pooled = from(wrong, count);
            long[] perSample = new long[m];
            for (int r = 0; r < m; r++) perSample[r] = count[r] / samples;
            return new ClassErrors(pooled.overall(), pooled.perClass(), perSample);
        }
    }
}
