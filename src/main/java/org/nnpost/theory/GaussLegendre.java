package org.nnpost.theory;

/**
 * Gauss–Legendre rules on [−1, 1] (nodes by Newton's method on the Legendre polynomial), for
 * composite quadrature of smooth integrands on panels: the tilted laws of one preactivation.
 */
final class GaussLegendre {
    private GaussLegendre() {}

    /** The rule the tilted laws use: exact for polynomials of degree 31 on each panel. */
    static final int ORDER = 16;
    static final double[] NODES = new double[ORDER], WEIGHTS = new double[ORDER];

    static {
        int n = ORDER;
        for (int i = 0; i < n; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            for (int it = 0; it < 100; it++) {
                double dx = legendre(n, x)[0] / legendre(n, x)[1];
                x -= dx;
                if (Math.abs(dx) < 1e-15) break;
            }
            double dp = legendre(n, x)[1];
            NODES[i] = x;
            WEIGHTS[i] = 2 / ((1 - x * x) * dp * dp);
        }
    }

    /** P_n(x) and P_n'(x). */
    private static double[] legendre(int n, double x) {
        double p0 = 1, p1 = x;
        for (int k = 2; k <= n; k++) {
            double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        return new double[]{p1, n * (x * p1 - p0) / (x * x - 1)};
    }
}
