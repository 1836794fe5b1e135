package org.nnpost.model;

import org.nnpost.data.Dataset;

/**
 * U(θ) = β · ½ Σ_μ ‖f(x_μ) − y_μ‖² + Σ_g ‖θ_g‖² / (2σ_g²) and its gradient for one chain, in
 * float64 and written as plainly as the equations (SPEC §1–3). It is the yardstick the fast
 * backends are checked against, and finite differences check it.
 */
public final class Potential {
    private final ModelSpec spec;
    private final Dataset data;

    public Potential(ModelSpec spec, Dataset data) {
        this.spec = spec;
        this.data = data;
    }

    /** Per-layer preactivations z[g][μ][o] (z[L] = f) for parameters theta[g] ([out][in]). */
    public double[][][] forward(double[][] theta) {
        int P = data.P(), G = spec.groups();
        double[][][] z = new double[G][][];
        double[][] h = new double[P][];
        for (int mu = 0; mu < P; mu++) {
            h[mu] = new double[spec.N0()];
            for (int i = 0; i < spec.N0(); i++) h[mu][i] = data.x()[mu * spec.N0() + i];
        }
        for (int g = 0; g < G; g++) {
            int out = spec.outDim(g), in = spec.inDim(g);
            double c = spec.scale(g);
            z[g] = new double[P][out];
            for (int mu = 0; mu < P; mu++)
                for (int o = 0; o < out; o++) {
                    double s = 0;
                    for (int i = 0; i < in; i++) s += theta[g][o * in + i] * h[mu][i];
                    z[g][mu][o] = c * s;
                }
            if (g < spec.L()) {
                double[][] next = new double[P][out];
                for (int mu = 0; mu < P; mu++)
                    for (int o = 0; o < out; o++) next[mu][o] = spec.phi().value(z[g][mu][o]);
                h = next;
            }
        }
        return z;
    }

    /** ½ Σ_μ ‖f(x_μ) − y_μ‖². */
    public double loss(double[][] theta) {
        double[][] f = forward(theta)[spec.L()];
        double e = 0;
        for (int mu = 0; mu < data.P(); mu++)
            for (int r = 0; r < spec.m(); r++) {
                double d = f[mu][r] - data.y()[mu * spec.m() + r];
                e += d * d;
            }
        return 0.5 * e;
    }

    public double value(double[][] theta) {
        double u = spec.beta() * loss(theta);
        for (int g = 0; g < spec.groups(); g++) {
            double s = 0;
            for (double v : theta[g]) s += v * v;
            u += 0.5 * s / spec.priorVariance(g);
        }
        return u;
    }

    /** ∇U, by backpropagation: δ^(L+1) = β (f − y), ∇W = c δ hᵀ, δ below = c (Wᵀ δ) ⊙ φ′(z). */
    public double[][] gradient(double[][] theta) {
        int P = data.P(), G = spec.groups(), L = spec.L();
        double[][][] z = forward(theta);
        double[][] grad = new double[G][];
        double[][] delta = new double[P][spec.m()];
        for (int mu = 0; mu < P; mu++)
            for (int r = 0; r < spec.m(); r++)
                delta[mu][r] = spec.beta() * (z[L][mu][r] - data.y()[mu * spec.m() + r]);
        for (int g = L; g >= 0; g--) {
            int out = spec.outDim(g), in = spec.inDim(g);
            double c = spec.scale(g);
            double[][] h = new double[P][in];
            for (int mu = 0; mu < P; mu++)
                for (int i = 0; i < in; i++)
                    h[mu][i] = g == 0 ? data.x()[mu * spec.N0() + i] : spec.phi().value(z[g - 1][mu][i]);
            grad[g] = new double[out * in];
            for (int o = 0; o < out; o++)
                for (int i = 0; i < in; i++) {
                    double s = 0;
                    for (int mu = 0; mu < P; mu++) s += delta[mu][o] * h[mu][i];
                    grad[g][o * in + i] = c * s + theta[g][o * in + i] / spec.priorVariance(g);
                }
            if (g > 0) {
                double[][] below = new double[P][in];
                for (int mu = 0; mu < P; mu++)
                    for (int i = 0; i < in; i++) {
                        double s = 0;
                        for (int o = 0; o < out; o++) s += theta[g][o * in + i] * delta[mu][o];
                        below[mu][i] = c * s * spec.phi().derivative(z[g - 1][mu][i]);
                    }
                delta = below;
            }
        }
        return grad;
    }
}
