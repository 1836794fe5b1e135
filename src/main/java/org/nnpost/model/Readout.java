package org.nnpost.model;

import java.util.Arrays;

/** The network's outputs from its last layer, in double: f(x_μ)_r = N^(−γ) Σ_i a_ri h_iμ (SPEC §1). */
public final class Readout {
    private Readout() {}

    /**
     * @param a    readout weights of one chain, m × width ([class][neuron]), from aOff
     * @param h    last-layer activations, width × n ([neuron][input])
     * @param out  receives f as n × m ([input][class]); may be longer than n·m
     */
    public static double[] outputs(ModelSpec spec, float[] a, int aOff, float[] h, int n, double[] out) {
        int width = spec.lastWidth(), m = spec.m();
        double s = spec.scale(spec.L());
        Arrays.fill(out, 0, n * m, 0.0);
        for (int r = 0; r < m; r++)
            for (int i = 0; i < width; i++) {
                double w = a[aOff + r * width + i];
                if (w == 0) continue;
                int hi = i * n;
                for (int mu = 0; mu < n; mu++) out[mu * m + r] += w * h[hi + mu];
            }
        for (int k = 0; k < n * m; k++) out[k] *= s;
        return out;
    }
}
