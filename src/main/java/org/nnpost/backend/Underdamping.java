package org.nnpost.backend;

import java.util.Arrays;

/**
 * The constants of underdamped Langevin (BAOAB, unit mass) per parameter group, computed once
 * from the step sizes η_g and frictions γ_g and handed to both backends as they are. The time
 * step is h = √(2η): at infinite friction BAOAB is then the Leimkuhler–Matthews scheme whose
 * position update θ − η∇U + √(η/2)(ξₙ + ξₙ₊₁) pairs with ULA's at the same η, and both are stable
 * for η·λ_max &lt; 2 on a quadratic with largest curvature λ_max. So one --eta means the same
 * scale of move for every sampler.
 *
 * @param halfStep h/2 = √(2η)/2, the kick's and the drift's factor
 * @param decay    e^{−γh}, the momentum kept by the Ornstein–Uhlenbeck step
 * @param noise    √(1 − e^{−2γh}), the fresh noise it adds
 */
public record Underdamping(float[] friction, float[] halfStep, float[] decay, float[] noise) {

    public Underdamping {
        int G = friction.length;
        if (G == 0 || halfStep.length != G || decay.length != G || noise.length != G)
            throw new IllegalArgumentException("one friction, half step, decay and noise per group");
        friction = friction.clone();
        halfStep = halfStep.clone();
        decay = decay.clone();
        noise = noise.clone();
    }

    /** The constants of step sizes η_g and frictions γ_g (one γ, or one per group). */
    public static Underdamping of(StepSizes h, float... friction) {
        int G = h.groups();
        if (friction.length != 1 && friction.length != G)
            throw new IllegalArgumentException(friction.length + " frictions for " + G + " groups");
        float[] gamma = new float[G], half = new float[G], decay = new float[G], noise = new float[G];
        for (int g = 0; g < G; g++) {
            float gam = friction[friction.length == 1 ? 0 : g];
            if (!(gam > 0) || !Float.isFinite(gam)) throw new IllegalArgumentException("friction " + gam + ": must be finite and > 0");
            double step = Math.sqrt(2.0 * h.eta(g));
            gamma[g] = gam;
            half[g] = (float) (step / 2);
            decay[g] = (float) Math.exp(-gam * step);
            noise[g] = (float) Math.sqrt(-Math.expm1(-2 * gam * step));   // accurate for small γh too
        }
        return new Underdamping(gamma, half, decay, noise);
    }

    public int groups() { return friction.length; }

    public float halfStep(int g) { return halfStep[g]; }

    public float decay(int g) { return decay[g]; }

    public float noise(int g) { return noise[g]; }

    @Override public float[] friction() { return friction.clone(); }

    @Override public float[] halfStep() { return halfStep.clone(); }

    @Override public float[] decay() { return decay.clone(); }

    @Override public float[] noise() { return noise.clone(); }

    /** Refuses constants for another number of groups. */
    public void checkGroups(int groups) {
        if (friction.length != groups) throw new IllegalArgumentException("need " + groups + " frictions, got " + friction.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Underdamping u && Arrays.equals(friction, u.friction) && Arrays.equals(halfStep, u.halfStep);
    }

    @Override
    public int hashCode() { return 31 * Arrays.hashCode(friction) + Arrays.hashCode(halfStep); }
}
