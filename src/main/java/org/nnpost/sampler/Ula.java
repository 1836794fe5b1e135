package org.nnpost.sampler;

import java.util.Objects;

import org.nnpost.backend.Backend;
import org.nnpost.backend.StepSizes;

/**
 * Overdamped unadjusted Langevin (SPEC §3), one step size per parameter group:
 * θ_g ← θ_g − η_g ∇_g U + √(2η_g) ξ. Its stationary law is the posterior up to O(η) bias.
 *
 * <pre>
 *   step:  move(h)             θ′ from θ, ∇U(θ) and the noise of the current step
 *          advance()           the next step draws new noise
 *          gradient()          ∇U, U and the divergence check at θ′
 * </pre>
 */
public record Ula(StepSizes stepSizes) implements Sampler {

    public Ula {
        Objects.requireNonNull(stepSizes);
    }

    /** ULA with step sizes η_g. */
    public Ula(float[] eta) { this(StepSizes.of(eta)); }

    @Override public String name() { return "ula"; }

    @Override
    public void step(Backend b) { step(b, new StepSizes[]{stepSizes}); }

    /** ULA's step of every member of a packed backend, at each member's step sizes. */
    static void step(Backend b, StepSizes[] h) {
        b.move(h, false);
        b.advance();
        b.gradient();
    }
}
