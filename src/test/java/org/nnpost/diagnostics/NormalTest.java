package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NormalTest {
    /** (p, Φ⁻¹(p)) to 16 digits, from the definition evaluated in an independent double-precision library. */
    static final double[][] QUANTILES = {
            {1e-300, -37.0470962993612}, {1e-100, -21.273453560965322}, {1e-20, -9.262340089798409},
            {1e-10, -6.361340902404056}, {1e-05, -4.264890793922825}, {0.001, -3.090232306167813},
            {0.02425, -1.972961051311885}, {0.025, -1.9599639845400545}, {0.1, -1.2815515655446004},
            {0.3, -0.5244005127080409}, {0.5, 0.0}, {0.975, 1.959963984540054}, {0.999, 3.090232306167813}};

    /** (x, erfc(x)) from the same source. */
    static final double[][] ERFC = {
            {0.1, 0.8875370839817152}, {0.5, 0.4795001221869535}, {1.0, 0.15729920705028516},
            {1.5, 0.03389485352468927}, {1.99, 0.004888586800383002}, {2.0, 0.004677734981047266},
            {2.5, 0.00040695201744495886}, {3, 2.2090496998585445e-05}, {5, 1.5374597944280347e-12},
            {10, 2.0884875837625446e-45}, {20, 5.395865611607901e-176}, {-1.0, 1.8427007929497148}};

    /**
     * Below x = 2, erfc = 1 − erf loses log10(1/erfc(2)) ≈ 2.3 digits to cancellation plus about one
     * in the alternating series: relative error ≲ 2.2e-16 · 10^3.3 ≈ 4.4e-13. The continued fraction
     * above 2 stops at a relative step of 1e-16.
     */
    static final double ERFC_REL_TOL = 5e-13;

    @Test
    void erfcMatchesReferenceToItsErrorBound() {
        for (double[] r : ERFC)
            assertEquals(r[1], Normal.erfc(r[0]), ERFC_REL_TOL * r[1], "erfc(" + r[0] + ")");
    }

    /**
     * After the Halley step the quantile's error is that of Φ, divided by the density:
     * |δx| ≈ |δΦ|/φ(x) ≤ ERFC_REL_TOL · Φ(x)/φ(x) ≤ ERFC_REL_TOL · max(1, 1/|x|)·√(π/2)
     * in the lower tail (Mills' ratio bound); 1e-12 · max(1, |x|) covers it with room.
     */
    @Test
    void quantileMatchesReferenceAfterOneHalleyStep() {
        for (double[] r : QUANTILES)
            assertEquals(r[1], Normal.quantile(r[0]), 1e-12 * Math.max(1, Math.abs(r[1])), "quantile(" + r[0] + ")");
    }

    /**
     * One Halley step from Acklam's 1.15e-9 leaves ~(1e-9)³, so only rounding remains: Φ's own
     * (ERFC_REL_TOL) and that of x itself, which moves Φ by a relative |d ln Φ/dx|·|δx| ≲
     * (|x| + 1)·2|x|ε in the tail (ε = 2⁻⁵²; 3e-13 at p = 1e-300, where x = −37).
     */
    @Test
    void quantileInvertsCdfAcrossThreeHundredDecades() {
        double eps = Math.ulp(1.0);
        for (double e = -300; e <= Math.log10(0.5); e += 0.37) {
            double p = Math.pow(10, e), x = Normal.quantile(p);
            double tol = ERFC_REL_TOL + (Math.abs(x) + 1) * 2 * Math.max(Math.abs(x), 1) * eps;
            assertEquals(p, Normal.cdf(x), tol * p, "p = " + p);
        }
    }

    @Test
    void quantileIsAntisymmetricAndHandlesEnds() {
        for (double p = 0.5; p < 1; p += 0.0371) assertEquals(-Normal.quantile(1 - p), Normal.quantile(p), 0.0);
        assertEquals(Double.NEGATIVE_INFINITY, Normal.quantile(0));
        assertEquals(Double.POSITIVE_INFINITY, Normal.quantile(1));
        assertTrue(Double.isNaN(Normal.quantile(1.5)));
        assertTrue(Double.isNaN(Normal.quantile(Double.NaN)));
    }
}
