package org.nnpost.theory;

import java.util.function.DoubleUnaryOperator;

/** Gauss–Hermite quadrature for Gaussian expectations of smooth functions (the tanh kernel). */
final class GaussHermite {
    private GaussHermite() {}

    static final int ORDER = 48;
    static final double[] NODES = new double[ORDER], WEIGHTS = new double[ORDER];

    static {
        // nodes of the physicists' Hermite polynomial H_n by Newton's method from the asymptotic guess
        int n = ORDER;
        for (int i = 0; i < (n + 1) / 2; i++) {
            double z = i == 0 ? Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -1.0 / 6)
                    : i == 1 ? NODES[0] - 1.14 * Math.pow(n, 0.426) / NODES[0]
                    : i == 2 ? 1.86 * NODES[1] - 0.86 * NODES[0]
                    : i == 3 ? 1.91 * NODES[2] - 0.91 * NODES[1]
                    : 2 * NODES[i - 1] - NODES[i - 2];
            double pp = 0;
            for (int it = 0; it < 100; it++) {
                double p1 = Math.pow(Math.PI, -0.25), p2 = 0;
                for (int j = 0; j < n; j++) {
                    double p3 = p2;
                    p2 = p1;
                    p1 = z * Math.sqrt(2.0 / (j + 1)) * p2 - Math.sqrt((double) j / (j + 1)) * p3;
                }
                pp = Math.sqrt(2.0 * n) * p2;
                double z1 = z;
                z = z1 - p1 / pp;
                if (Math.abs(z - z1) < 1e-15) break;
            }
            NODES[i] = z;
            NODES[n - 1 - i] = -z;
            WEIGHTS[i] = 2.0 / (pp * pp);
            WEIGHTS[n - 1 - i] = WEIGHTS[i];
        }
    }

    /** E[f(u) f(v)] for (u, v) ~ N(0, [[kuu, kuv], [kuv, kvv]]), by a 2-D product rule. */
    static double expectation2(DoubleUnaryOperator f, double kuu, double kuv, double kvv) {
        // u = √kuu ξ1, v = ρ√kvv ξ1 + √(kvv(1−ρ²)) ξ2 with ξ standard normal; x = √2 t for the Hermite weight
        double su = Math.sqrt(Math.max(kuu, 0)), sv = Math.sqrt(Math.max(kvv, 0));
        double rho = su * sv > 0 ? Math.max(-1, Math.min(1, kuv / (su * sv))) : 0;
        double perp = sv * Math.sqrt(Math.max(0, 1 - rho * rho));
        double s = 0;
        for (int i = 0; i < ORDER; i++) {
            double x1 = Math.sqrt(2) * NODES[i];
            double fu = f.applyAsDouble(su * x1);
            double inner = 0;
            for (int j = 0; j < ORDER; j++) {
                double x2 = Math.sqrt(2) * NODES[j];
                inner += WEIGHTS[j] * f.applyAsDouble(rho * sv * x1 + perp * x2);
            }
            s += WEIGHTS[i] * fu * inner;
        }
        return s / Math.PI;
    }
}
