package org.nnpost.backend;

import java.util.Arrays;

/**
 * A sampler's step sizes, one per parameter group (W¹, …, W^L, a), with the noise scale √(2η)
 * of each rounded once ({@link StepMath#noiseScale}): made when the sampler is made, not per step.
 *
 * @param eta        η_g, finite and ≥ 0, one at least positive: η_g = 0 holds group g still, a move of
 *                   the other groups alone (what --eta auto's tuning proposes, group by group)
 * @param noiseScale √(2η_g) as a float, as {@link StepMath#noiseScale} gives it
 */
public record StepSizes(float[] eta, float[] noiseScale) {

    public StepSizes {
        if (eta.length == 0) throw new IllegalArgumentException("no step sizes");
        if (noiseScale.length != eta.length)
            throw new IllegalArgumentException(eta.length + " step sizes but " + noiseScale.length + " noise scales");
        boolean moves = false;
        for (int g = 0; g < eta.length; g++) {
            if (!(eta[g] >= 0) || !Float.isFinite(eta[g]))
                throw new IllegalArgumentException("step size " + g + " is " + eta[g] + ": must be finite and ≥ 0");
            moves |= eta[g] > 0;
            if (Float.floatToRawIntBits(noiseScale[g]) != Float.floatToRawIntBits(StepMath.noiseScale(eta[g])))
                throw new IllegalArgumentException("noise scale " + g + " is not √(2η) of its step size");
        }
        if (!moves) throw new IllegalArgumentException("every step size is 0: nothing moves");
        eta = eta.clone();
        noiseScale = noiseScale.clone();
    }

    /** Whether group g moves (η_g > 0); a group held still adds nothing to MALA's proposal terms. */
    public boolean moves(int g) { return eta[g] > 0; }

    /** Step sizes η_g and their noise scales. */
    public static StepSizes of(float... eta) {
        float[] s = new float[eta.length];
        for (int g = 0; g < eta.length; g++) s[g] = StepMath.noiseScale(eta[g]);
        return new StepSizes(eta, s);
    }

    /** The number of parameter groups. */
    public int groups() { return eta.length; }

    public float eta(int g) { return eta[g]; }

    public float noiseScale(int g) { return noiseScale[g]; }

    /** A copy of every η_g. */
    @Override public float[] eta() { return eta.clone(); }

    /** A copy of every √(2η_g). */
    @Override public float[] noiseScale() { return noiseScale.clone(); }

    /** Refuses sizes for another number of groups (the backends call it before a move). */
    public void checkGroups(int groups) {
        if (eta.length != groups) throw new IllegalArgumentException("need " + groups + " step sizes, got " + eta.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StepSizes s && Arrays.equals(eta, s.eta);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(eta); }

    @Override
    public String toString() { return "StepSizes" + Arrays.toString(eta); }
}
