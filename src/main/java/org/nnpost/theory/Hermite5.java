package org.nnpost.theory;

/**
 * Quintic Hermite interpolation on a uniform grid: on each interval the polynomial of degree 5
 * that matches the value and the first two derivatives at both ends (so the interpolant is C²).
 * Its error is at most δ⁶ max|f⁽⁶⁾| / 46080 on a grid of spacing δ, and it reproduces
 * polynomials of degree 5 exactly. The coefficients are kept in power form per interval,
 * so one evaluation is a cell look-up and a Horner scheme of five steps.
 */
final class Hermite5 {
    private Hermite5() {}

    /** Coefficients per interval: c[6 i + k] for t^k, t = (x − x_i)/δ ∈ [0, 1]. */
    static double[] coefficients(double[] f, double[] d1, double[] d2, double delta) {
        int n = f.length;
        double[] c = new double[6 * Math.max(0, n - 1)];
        for (int i = 0; i + 1 < n; i++) {
            double f0 = f[i], g0 = delta * d1[i], h0 = delta * delta * d2[i];
            double f1 = f[i + 1], g1 = delta * d1[i + 1], h1 = delta * delta * d2[i + 1];
            int o = 6 * i;
            c[o] = f0;
            c[o + 1] = g0;
            c[o + 2] = 0.5 * h0;
            c[o + 3] = -10 * f0 - 6 * g0 - 1.5 * h0 + 10 * f1 - 4 * g1 + 0.5 * h1;
            c[o + 4] = 15 * f0 + 8 * g0 + 1.5 * h0 - 15 * f1 + 7 * g1 - h1;
            c[o + 5] = -6 * f0 - 3 * g0 - 0.5 * h0 + 6 * f1 - 3 * g1 + 0.5 * h1;
        }
        return c;
    }

    /** The interpolant of interval i at t ∈ [0, 1]. */
    static double eval(double[] c, int i, double t) {
        int o = 6 * i;
        return c[o] + t * (c[o + 1] + t * (c[o + 2] + t * (c[o + 3] + t * (c[o + 4] + t * c[o + 5]))));
    }
}
