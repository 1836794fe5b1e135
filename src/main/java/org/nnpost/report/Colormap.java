package org.nnpost.report;

import java.awt.Color;

/**
 * Maps a number to a colour. Sequential data (kernels of non-negative activity, activity
 * magnitudes) get a viridis-like ramp, dark to bright; signed data get a blue-white-red ramp
 * centred on 0, so that the sign reads at a glance and 0 is white.
 */
public record Colormap(double lo, double hi, boolean diverging) {

    /** Distinct colours of a ramp (odd, so a diverging ramp has white at 0). */
    public static final int LEVELS = 65;

    private static final int[][] SEQUENTIAL = {
            {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    private static final int[][] DIVERGING = {
            {33, 102, 172}, {146, 197, 222}, {247, 247, 247}, {244, 165, 130}, {178, 24, 43}};

    /** Diverging and symmetric about 0 when the data change sign, sequential otherwise. */
    public static Colormap forRange(double min, double max) {
        if (!(min <= max) || !Double.isFinite(min) || !Double.isFinite(max)) return new Colormap(0, 1, false);
        if (min < 0 && max > 0) {
            double m = Math.max(-min, max);
            return new Colormap(-m, m, true);
        }
        if (min == max) return new Colormap(min - 0.5, max + 0.5, false);
        return new Colormap(min, max, false);
    }

    public static Colormap forData(double[] v) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            if (!Double.isFinite(x)) continue;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return forRange(min, max);
    }

    /** The colour of x; values past the ends take the end colours, NaN is grey. */
    public Color color(double x) {
        if (!Double.isFinite(x)) return Color.GRAY;
        double f = hi > lo ? (x - lo) / (hi - lo) : 0.5;
        // LEVELS steps: finer than the eye separates on a ramp, few enough that PNG compresses well
        f = Math.round(Math.max(0, Math.min(1, f)) * (LEVELS - 1)) / (double) (LEVELS - 1);
        return ramp(diverging ? DIVERGING : SEQUENTIAL, f);
    }

    public int rgb(double x) { return color(x).getRGB(); }

    private static Color ramp(int[][] stops, double f) {
        double p = f * (stops.length - 1);
        int k = Math.min((int) p, stops.length - 2);
        double w = p - k;
        int[] a = stops[k], b = stops[k + 1];
        return new Color((int) Math.round(a[0] + w * (b[0] - a[0])), (int) Math.round(a[1] + w * (b[1] - a[1])),
                (int) Math.round(a[2] + w * (b[2] - a[2])));
    }
}
