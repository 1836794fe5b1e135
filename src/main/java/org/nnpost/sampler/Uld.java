package org.nnpost.sampler;

import java.util.Objects;

import org.nnpost.backend.Backend;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Underdamping;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * Underdamped (kinetic) Langevin by BAOAB (Leimkuhler &amp; Matthews 2013), unit mass, friction
 * γ_g and time step h_g = √(2η_g) per group ({@link Underdamping}): the momentum carries each
 * chain along its slow directions instead of diffusing, so at the step size ULA uses it mixes in
 * about 1/(γh) steps where ULA needs 1/η. One gradient per step: the last kick of a step and the
 * first of the next both use the gradient made after the drift.
 *
 * <pre>
 *   step:  baoa(u)             B: p − (h/2)∇U, A: θ + (h/2)p, O: e^{−γh}p + √(1−e^{−2γh})ξ, A
 *          advance()           the next step draws new noise
 *          gradient()          ∇U, U and the divergence check at the new θ
 *          kick(u)             B: p − (h/2)∇U
 * </pre>
 *
 * For a Gaussian posterior BAOAB's stationary law of θ is exact at any stable h; in general its
 * configurational bias is O(h²) = O(η), with a small constant.
 */
public record Uld(StepSizes stepSizes, Underdamping underdamping) implements Sampler {

    /** Friction by default ({@link SamplerSpec#DEFAULT_FRICTION}). */
    public static final float DEFAULT_FRICTION = SamplerSpec.DEFAULT_FRICTION;

    public Uld {
        Objects.requireNonNull(stepSizes);
        Objects.requireNonNull(underdamping);
        underdamping.checkGroups(stepSizes.groups());
    }

    /** ULD with step sizes η_g and frictions γ (one, or one per group). */
    public Uld(float[] eta, float[] friction) { this(StepSizes.of(eta), Underdamping.of(StepSizes.of(eta), friction)); }

    @Override public String name() { return "uld"; }

    /** Momenta from their stationary law, addressed by the seed; a resumed state keeps its own. */
    @Override
    public ChainState start(ChainState state, ModelSpec spec) {
        return state.momenta() != null ? state : state.withFreshMomenta(spec);
    }

    @Override
    public void step(Backend b) {
        b.baoa(underdamping);
        b.advance();
        b.gradient();
        b.kick(underdamping);
    }
}
