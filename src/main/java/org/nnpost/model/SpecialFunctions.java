package org.nnpost.model;

/** Special functions the JDK lacks, accurate to a few ulp in double (gradient checks need that). */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    /**
     * erf(x): the Maclaurin series below |x| = 3 (terms stay below 10^3, so about 13 digits
     * survive cancellation), the continued fraction of erfc above (converges fast there).
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax < 3.0) {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double r = 1.0 - erfcLarge(ax);
        return x < 0 ? -r : r;
    }

    /**
     * erf to float accuracy at a fraction of {@link #erf}'s cost, for the hot loops: the series
     * (a few terms) below |x| = 0.5, Numerical Recipes' Chebyshev fit of erfc (relative error
     * below 1.2e-7) above, where erf ≥ 0.52 keeps the absolute error under two float ulps.
     */
    public static double erfFast(double x) {
        double ax = Math.abs(x);
        if (ax < 0.5) {
            // nine terms: the first omitted one is below 4e-10 of the sum
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n <= 8; n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        double t = 1.0 / (1.0 + 0.5 * ax);
        double erfc = t * Math.exp(-ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        double r = 1.0 - erfc;
        return x < 0 ? -r : r;
    }

    /** erfc(x) for x ≥ 3 by the Lentz evaluation of its continued fraction. */
    private static double erfcLarge(double x) {
        if (x > 27) return 0.0;
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
        double tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int n = 1; n < 500; n++) {
            double an = n / 2.0;
            d = x + an * d;
            if (d == 0) d = tiny;
            c = x + an / c;
            if (c == 0) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
