package org.nnpost.data;

/**
 * Inputs, labels and one-hot-style targets, row-major float32 as the backends consume them.
 *
 * @param x      P × N0 inputs
 * @param labels class of each input, 0..m−1
 * @param y      P × m targets: yPlus for the true class, yMinus elsewhere
 */
public record Dataset(int P, int N0, int m, float[] x, int[] labels, float[] y) {
    public Dataset {
        if (x.length != (long) P * N0 || labels.length != P || y.length != (long) P * m)
            throw new IllegalArgumentException("inconsistent dataset shapes");
    }

    public static float[] targets(int[] labels, int m, double yPlus, double yMinus) {
        float[] y = new float[labels.length * m];
        for (int mu = 0; mu < labels.length; mu++)
            for (int r = 0; r < m; r++) y[mu * m + r] = (float) (labels[mu] == r ? yPlus : yMinus);
        return y;
    }

    /** Inputs transposed to N0 × P, the layout the backends' activations use. */
    public float[] xTransposed() {
        float[] t = new float[x.length];
        for (int mu = 0; mu < P; mu++)
            for (int i = 0; i < N0; i++) t[i * P + mu] = x[mu * N0 + i];
        return t;
    }
}
