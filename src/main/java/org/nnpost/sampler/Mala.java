package org.nnpost.sampler;

import org.nnpost.backend.Backend;

/**
 * Metropolis-adjusted Langevin: the ULA move as a proposal, accepted or rejected per chain, so
 * the posterior is stationary exactly at any step size (Roberts & Tweedie 1996).
 */
public record Mala(float[] eta) implements Sampler {
    @Override public String name() { return "mala"; }

    @Override
    public void step(Backend b) {
        b.propose(eta);
        b.gradient();
        b.metropolis(eta);
    }
}
