package org.nnpost.sampler;

import java.util.Objects;

import org.nnpost.backend.Backend;
import org.nnpost.backend.StepSizes;

/**
 * Metropolis-adjusted Langevin: the ULA move as a proposal, accepted or rejected per chain, so
 * the posterior is stationary exactly at any step size (Roberts &amp; Tweedie 1996).
 *
 * <pre>
 *   step:  save()              θ, ∇U(θ), U(θ) kept for a rejection
 *          move(h, proposal)   θ′ as ULA would move, with −log q(θ′|θ) = ½‖ξ‖²
 *          gradient()          ∇U, U at θ′; a blow-up is flagged at this step
 *          metropolis(h)       −log q(θ|θ′), accept with probability min(1, α), else back to θ
 *                              (and the blow-up forgiven)
 *          advance()           the next step draws new noise and a new uniform
 * </pre>
 */
public record Mala(StepSizes stepSizes) implements Sampler {

    public Mala {
        Objects.requireNonNull(stepSizes);
    }

    /** MALA with step sizes η_g. */
    public Mala(float[] eta) { this(StepSizes.of(eta)); }

    @Override public String name() { return "mala"; }

    @Override
    public void step(Backend b) { step(b, new StepSizes[]{stepSizes}); }

    /** MALA's step of every member of a packed backend, at each member's step sizes. */
    static void step(Backend b, StepSizes[] h) {
        b.save();
        b.move(h, true);
        b.gradient();
        b.metropolis(h);
        b.advance();
    }
}
