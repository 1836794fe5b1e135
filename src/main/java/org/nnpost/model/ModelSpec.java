package org.nnpost.model;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * The network and its posterior (SPEC §1–2). It checks itself when made, so every way of making
 * one (flags, a config file, a figure recipe, a benchmark preset) meets the same rules and words
 * ({@link SpecException}, naming the setting as its flag).
 *
 * <p>Layers are numbered as parameter groups g = 0..L: group g holds W^(g+1), of shape
 * width(g+1) × width(g), stored [out][in]; group L is the readout a (m × N, i.e. aᵀ).
 * width(0) = N0, width(1..L) = N, width(L+1) = m. With L = 0 the readout acts on the input
 * itself, so "N" in the scalings below is N0.
 *
 * @param sigmaA2 the absolute prior variance of the readout (a per-P value is resolved before)
 */
public record ModelSpec(int L, int N, int N0, int m, Phi phi, Scaling scaling,
                        double beta0, boolean betaScaling, double sigmaW2, double sigmaA2) {

    /** Hidden layers at most: deeper networks are not what this engine is for, and 100 already takes hours. */
    public static final int MAX_L = 100;
    /** Outputs at most. */
    public static final int MAX_M = 1_000_000;

    public ModelSpec {
        Check.range("L", L, 0, MAX_L);
        Check.range("N", N, 1, Integer.MAX_VALUE);
        Check.range("N0", N0, 1, Integer.MAX_VALUE);
        Check.range("m", m, 1, MAX_M);
        Check.that(phi != null, "phi", null, "missing", Phi.names());
        Check.that(scaling != null, "scaling", null, "missing", Scaling.names());
        Check.positive("beta0", beta0);
        Check.positive("sigma-w2", sigmaW2);
        Check.positive("sigma-a2", sigmaA2);
    }

    /** Width of the last layer before the readout: N, or N0 when there is no hidden layer. */
    public int lastWidth() { return L == 0 ? N0 : N; }

    public double gamma() { return scaling.gamma; }

    /** β = β₀ · N^(2γ−1), or β₀ when the scaling is off (SPEC §2). */
    public double beta() {
        return betaScaling ? beta0 * Math.pow(lastWidth(), 2 * gamma() - 1) : beta0;
    }

    public int groups() { return L + 1; }

    public int width(int layer) {
        if (layer == 0) return N0;
        if (layer <= L) return N;
        return m;
    }

    public int outDim(int g) { return width(g + 1); }

    public int inDim(int g) { return width(g); }

    public int groupSize(int g) { return outDim(g) * inDim(g); }

    public long paramsPerChain() {
        long n = 0;
        for (int g = 0; g < groups(); g++) n += groupSize(g);
        return n;
    }

    /** The factor multiplying W^(g+1)·h: 1/√fan-in for hidden layers, N^(−γ) for the readout. */
    public double scale(int g) {
        return g < L ? 1.0 / Math.sqrt(inDim(g)) : Math.pow(lastWidth(), -gamma());
    }

    public double priorVariance(int g) { return g < L ? sigmaW2 : sigmaA2; }

    public boolean isReadout(int g) { return g == L; }

    /** The name a group has in files and flags: W1, W2, …, a. */
    public String groupName(int g) { return isReadout(g) ? "a" : "W" + (g + 1); }
}
