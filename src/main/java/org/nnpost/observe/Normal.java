package org.nnpost.observe;

/**
 * The standard normal distribution's CDF and quantile in double, for rank normalisation.
 * The quantile starts from Acklam's rational approximation (relative error about 1e-9) and
 * takes one Halley step on Φ(x) − p, which brings it to nearly full double precision as long as
 * Φ is accurate; Φ is therefore built on an erfc that keeps its relative accuracy in the tails.
 */
public final class Normal {
    private Normal() {}

    private static final double SQRT2 = Math.sqrt(2.0);
    private static final double SQRT_2PI = Math.sqrt(2.0 * Math.PI);
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    /** Φ(x) = ½ erfc(−x/√2). */
    public static double cdf(double x) {
        return 0.5 * erfc(-x / SQRT2);
    }

    /**
     * erfc(x) with small relative error for all x: 1 − erf by its Maclaurin series below 2 (the
     * largest term is about 2, so cancellation costs at most one digit, and erfc ≥ 0.0047 there),
     * the continued fraction above 2 where it converges in a few dozen terms.
     */
    public static double erfc(double x) {
        if (Double.isNaN(x)) return x;
        if (x < 0) return 2.0 - erfc(-x);
        if (x < 2.0) return 1.0 - erfSeries(x);
        if (x > 27.3) return 0.0;   // below the smallest subnormal
        // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), by modified Lentz
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
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    private static double erfSeries(double x) {
        // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    // Acklam's coefficients: central region, then the tails
    private static final double[] A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
            1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
            6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
            -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
            3.754408661907416e+00};
    private static final double P_LOW = 0.02425;

    /** Φ⁻¹(p) for p in (0, 1); −∞ at 0, +∞ at 1, NaN outside. */
    public static double quantile(double p) {
        if (!(p >= 0 && p <= 1)) return Double.NaN;
        if (p == 0) return Double.NEGATIVE_INFINITY;
        if (p == 1) return Double.POSITIVE_INFINITY;
        // 1 − p is exact for p ≥ ½, so reflecting keeps the upper half exactly antisymmetric
        if (p > 0.5) return -quantile(1.0 - p);
        double x;
        if (p < P_LOW) {
            double q = Math.sqrt(-2.0 * Math.log(p));
            x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0);
        } else {
            double q = p - 0.5, r = q * q;
            x = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                    / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0);
        }
        // one Halley step on Φ(x) − p: u = (Φ(x) − p)/φ(x), x ← x − u / (1 + x u / 2)
        double e = cdf(x) - p;
        double u = e * SQRT_2PI * Math.exp(0.5 * x * x);
        return x - u / (1.0 + 0.5 * x * u);
    }
}
