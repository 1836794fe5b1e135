package org.nnpost.theory;

import org.nnpost.model.Phi;

/**
 * Neural-network Gaussian-process kernels (the lazy, N → ∞ limit; SPEC §7). With
 * K⁰ = σ_w² X Xᵀ / N0 the covariance of the first preactivations, each hidden layer maps
 * C^l(μ, ν) = E[φ(u) φ(v)], (u, v) ~ N(0, K^(l−1) restricted to μ, ν), and K^l = σ_w² C^l;
 * the readout's covariance is σ_a² C^L. Closed forms: linear C = K; erf (slope 1 at 0) the
 * arcsine kernel; ReLU the first-order arc-cosine kernel; tanh by Gauss–Hermite quadrature.
 */
public final class Nngp {
    private Nngp() {}

    /** Input kernel σ_w² X₁ X₂ᵀ / N0 for row-major inputs (n1 × N0, n2 × N0). */
    public static double[] inputKernel(float[] x1, int n1, float[] x2, int n2, int N0, double sigmaW2) {
        double[] k = new double[n1 * n2];
        for (int a = 0; a < n1; a++)
            for (int b = 0; b < n2; b++) {
                double s = 0;
                for (int i = 0; i < N0; i++) s += (double) x1[a * N0 + i] * x2[b * N0 + i];
                k[a * n2 + b] = sigmaW2 * s / N0;
            }
        return k;
    }

    /** E[φ(u) φ(v)] for (u, v) centred Gaussian with variances kuu, kvv and covariance kuv. */
    public static double expectation(Phi phi, double kuu, double kuv, double kvv) {
        switch (phi) {
            case LINEAR:
                return kuv;
            case ERF: {
                // φ = erf(a z), a = √π/2: E = (2/π) asin(2a² kuv / √((1 + 2a² kuu)(1 + 2a² kvv)))
                double c = Math.PI / 2;
                double r = c * kuv / Math.sqrt((1 + c * kuu) * (1 + c * kvv));
                return 2 / Math.PI * Math.asin(Math.max(-1, Math.min(1, r)));
            }
            case RELU: {
                double s = Math.sqrt(kuu * kvv);
                if (s == 0) return 0;
                double rho = Math.max(-1, Math.min(1, kuv / s));
                double th = Math.acos(rho);
                return s / (2 * Math.PI) * (Math.sin(th) + (Math.PI - th) * Math.cos(th));
            }
            case TANH:
                return GaussHermite.expectation2(Math::tanh, kuu, kuv, kvv);
            default:
                throw new IllegalArgumentException(phi.toString());
        }
    }

    /**
     * Post-activation kernels C^1..C^L on the joint set (train then test), given K⁰ on it.
     * Returns c[l−1] for l = 1..L (n × n each); C^L times σ_a² is the output covariance.
     */
    public static double[][] layers(Phi phi, int L, double[] k0, int n, double sigmaW2) {
        double[][] out = new double[L][];
        double[] k = k0;
        for (int l = 1; l <= L; l++) {
            double[] c = new double[n * n];
            for (int a = 0; a < n; a++)
                for (int b = a; b < n; b++) {
                    double v = expectation(phi, k[a * n + a], k[a * n + b], k[b * n + b]);
                    c[a * n + b] = v;
                    c[b * n + a] = v;
                }
            out[l - 1] = c;
            double[] next = new double[n * n];
            for (int i = 0; i < n * n; i++) next[i] = sigmaW2 * c[i];
            k = next;
        }
        return out;
    }
}
