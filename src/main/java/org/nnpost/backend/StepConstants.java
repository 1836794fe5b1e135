package org.nnpost.backend;

import org.nnpost.data.Dataset;
import org.nnpost.model.ModelSpec;

/**
 * The numbers every step uses that depend only on the model and the training set, computed once
 * here for both backends (the CPU reads them in its loops; the GPU uploads the arrays and passes
 * the scalars as kernel arguments), so the two cannot drift apart in how they round them.
 *
 * @param betaFloat       β rounded to float: the factor of δ = β (f − y) in the float32 backward pass
 * @param beta            β in double: the factor of the loss in U
 * @param invVar          per group g, 1/σ_g² rounded to float (prior force θ/σ², prior term of U)
 * @param scale           per group g, the factor of W^(g+1)·h rounded to float ({@link ModelSpec#scale})
 * @param divergenceLimit U above this (or not finite) flags a chain as diverged
 * @param yT              the training targets transposed to m × P, the outputs' layout
 */
public record StepConstants(float betaFloat, double beta, float[] invVar, float[] scale, double divergenceLimit,
                            float[] yT) {

    public StepConstants {
        if (invVar.length != scale.length) throw new IllegalArgumentException("one 1/σ² and one scale per group");
        invVar = invVar.clone();
        scale = scale.clone();
        yT = yT.clone();
    }

    public static StepConstants of(ModelSpec spec, Dataset train) {
        int G = spec.groups(), P = train.P(), m = spec.m();
        if (train.m() != m) throw new IllegalArgumentException("targets have " + train.m() + " outputs, the model " + m);
        float[] invVar = new float[G], scale = new float[G];
        for (int g = 0; g < G; g++) {
            invVar[g] = (float) (1.0 / spec.priorVariance(g));
            scale[g] = (float) spec.scale(g);
        }
        float[] y = train.y(), yT = new float[m * P];
        for (int mu = 0; mu < P; mu++)
            for (int r = 0; r < m; r++) yT[r * P + mu] = y[mu * m + r];
        // U above this counts as a blow-up: 10⁴ times the scale U has at initialisation (one unit per
        // parameter from the prior, β per target entry from the likelihood)
        double limit = 1e4 * (spec.paramsPerChain() + spec.beta() * P * m);
        return new StepConstants((float) spec.beta(), spec.beta(), invVar, scale, limit, yT);
    }

    public int groups() { return invVar.length; }

    /** 1/σ_g² as a float. */
    public float invVar(int g) { return invVar[g]; }

    /** The layer scale of group g as a float. */
    public float scale(int g) { return scale[g]; }

    /** A copy of 1/σ_g² for every group. */
    @Override public float[] invVar() { return invVar.clone(); }

    /** A copy of the layer scales. */
    @Override public float[] scale() { return scale.clone(); }

    /** A copy of the targets, m × P. */
    @Override public float[] yT() { return yT.clone(); }
}
