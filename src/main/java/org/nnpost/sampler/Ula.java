package org.nnpost.sampler;

import org.nnpost.backend.Backend;

/**
 * Overdamped unadjusted Langevin (SPEC §3), one step size per parameter group:
 * θ_g ← θ_g − η_g ∇_g U + √(2η_g) ξ. Its stationary law is the posterior up to O(η) bias.
 */
public record Ula(float[] eta) implements Sampler {
    @Override public String name() { return "ula"; }

    @Override
    public void step(Backend b) {
        b.langevinStep(eta);
        b.gradient();
    }
}
