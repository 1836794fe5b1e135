package org.nnpost.sampler;

import org.nnpost.backend.Backend;

/**
 * A Langevin algorithm, written once against {@link Backend} and run unchanged on the CPU or the
 * GPU. Invariant kept by every implementation: after {@link #init} and after each {@link #step},
 * the backend's gradient, traces and divergence flags describe its current parameters, so a run
 * may observe between any two steps.
 */
public interface Sampler {

    /** The name used in flags and the manifest (ula, mala). */
    String name();

    /** Makes the invariant hold for freshly loaded parameters. */
    default void init(Backend b) { b.gradient(); }

    /** Advances every chain by one step. */
    void step(Backend b);

    static Sampler of(String name, float[] eta) {
        return switch (name) {
            case "ula" -> new Ula(eta);
            case "mala" -> new Mala(eta);
            default -> throw new IllegalArgumentException(name);
        };
    }
}
