package org.nnpost.backend;

import org.nnpost.model.ChainState;

/**
 * A backend whose chains belong to one or more members ({@link Packing}), each with its own
 * constants, seed, step sizes, counts and running sums, stepped together: one gradient pass and
 * one update for every chain of every member. A member is seen as a backend of its own through
 * {@link #member}, which is what a run observes, loads and checkpoints; the stepping itself goes
 * through this backend, with one set of step sizes per member ({@link #move(StepSizes[], boolean)}
 * and the other array forms). The CPU and CUDA backends are packed backends; an ordinary run is a
 * packing of one, whose member view is the backend itself.
 */
public interface PackedBackend extends Backend {

    Packing packing();

    @Override
    default int members() { return packing().members(); }

    /** Loads member k's chains from its state (of its chain count and seed); the backend's step becomes the state's. */
    void load(int k, ChainState state);

    /** Member k's chains, its seed and the step. */
    ChainState snapshot(int k);

    /** Adds member k's current draws to its running sums. */
    void accumulate(int k);

    /** Member k's running sums. */
    Moments moments(int k);

    void resetMoments(int k);

    /** Puts back member k's sums and, per chain of it, accepted proposals and divergence steps. */
    void restore(int k, Moments sums, long[] accepted, long[] divergedAt);

    // The whole-backend forms of a packing of one; a pack is loaded, read and restored member by member.

    @Override
    default void load(ChainState s) { load(only("loads its members one by one"), s); }

    @Override
    default ChainState snapshot() { return snapshot(only("is snapshot member by member")); }

    @Override
    default Moments moments() { return moments(only("keeps its sums member by member")); }

    @Override
    default void restore(Moments sums, long[] accepted, long[] divergedAt) {
        restore(only("is restored member by member"), sums, accepted, divergedAt);
    }

    private int only(String what) {
        if (members() != 1) throw new IllegalStateException("a packed backend " + what);
        return 0;
    }

    /** Member k seen as a backend of its own chains: what its run reads; it does not step. */
    default Backend member(int k) {
        if (members() == 1 && k == 0) return this;
        return new MemberBackend(this, k);
    }
}
