package org.nnpost.model;

/** Special functions the JDK lacks, accurate to a few ulp in double (gradient checks need that). */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    /**
     * erf(x): the Maclaurin series below |x| = 2 (its largest term is about 2, so cancellation
     * costs at most one digit), 1 − erfc above.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        if (Math.abs(x) < 2.0) return series(x);
        double r = 1.0 - erfc(Math.abs(x));
        return x < 0 ? -r : r;
    }

    /**
     * erfc(x) with small relative error for all x, the tails included (the normal quantile's
     * refinement needs that): 1 − erf below 2 (erfc ≥ 0.0047 there), above 2 the continued
     * fraction erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) by modified
     * Lentz, which converges in a few dozen terms.
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2.0 - erfc(-x);
        if (x < 2.0) return 1.0 - series(x);
        if (x > 27.3) return 0.0;   // below the smallest subnormal
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / continuedFraction(x);
    }

    /**
     * The scaled complementary error function erfcx(x) = exp(x²) erfc(x), finite where erfc
     * underflows: exp(x²)(1 − erf) below x = 2, the continued fraction of {@link #erfc} without
     * its exponential above; 2 exp(x²) − erfcx(−x) for negative x (+∞ below x ≈ −26.6).
     */
    public static double erfcx(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2.0 * Math.exp(x * x) - erfcx(-x);
        if (x < 2.0) return Math.exp(x * x) * (1.0 - series(x));
        return 1.0 / (Math.sqrt(Math.PI) * continuedFraction(x));
    }

    /**
     * x + (1/2)/(x + 1/(x + (3/2)/(x + …))) by the modified Lentz method: √π exp(x²) erfc(x) is its
     * reciprocal, for x ≥ 2 where it converges in a few dozen terms.
     */
    private static double continuedFraction(double x) {
        double tiny = 1e-300, f = x, c = x, d = 0.0;
        for (int n = 1; n < 1000; n++) {
            double an = 0.5 * n;
            d = x + an * d;
            if (d == 0) d = tiny;
            c = x + an / c;
            if (c == 0) c = tiny;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) break;
        }
        return f;
    }

    /** 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)), to full double precision. */
    private static double series(double x) {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
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
}
