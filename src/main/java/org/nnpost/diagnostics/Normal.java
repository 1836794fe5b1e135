package org.nnpost.diagnostics;

import org.nnpost.model.SpecialFunctions;

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

    /** Φ(x) = ½ erfc(−x/√2). */
    public static double cdf(double x) {
        return 0.5 * erfc(-x / SQRT2);
    }

    /** erfc with small relative error in the tails (see {@link SpecialFunctions#erfc}). */
    public static double erfc(double x) {
        return SpecialFunctions.erfc(x);
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
