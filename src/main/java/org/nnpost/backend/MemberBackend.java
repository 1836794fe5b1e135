package org.nnpost.backend;

import java.util.Arrays;
import java.util.Objects;

import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * One member of a {@link PackedBackend}, seen as a backend of its own chains (indices from 0):
 * its reads (traces, divergence, acceptance, activations), its load, snapshot and running sums
 * are the member's. A gradient pass is the pack's (every chain, which leaves the other members'
 * state as it was); the moves are not a member's to make: the pack steps every member at once,
 * so they refuse.
 */
final class MemberBackend implements Backend {
    private final PackedBackend pack;
    private final int k, first, C;

    MemberBackend(PackedBackend pack, int k) {
        Objects.checkIndex(k, pack.members());
        this.pack = pack;
        this.k = k;
        this.first = pack.packing().first(k);
        this.C = pack.packing().chains(k);
    }

    @Override public String description() {
        return pack.description() + ", packed: " + C + " of its " + pack.chains() + " chains (member " + (k + 1) + " of "
                + pack.members() + ")";
    }

    @Override public ModelSpec spec() { return pack.spec(); }
    @Override public int chains() { return C; }
    @Override public long step() { return pack.step(); }
    @Override public void load(ChainState state) { pack.load(k, state); }
    @Override public ChainState snapshot() { return pack.snapshot(k); }
    @Override public void gradient() { pack.gradient(); }

    private UnsupportedOperationException packed() {
        return new UnsupportedOperationException("a member of a packed backend is stepped by its pack");
    }

    @Override public void move(StepSizes[] h, boolean proposal) { throw packed(); }
    @Override public void save() { throw packed(); }
    @Override public void metropolis(StepSizes[] h) { throw packed(); }
    @Override public void advance() { throw packed(); }
    @Override public void baoa(Underdamping[] u) { throw packed(); }
    @Override public void kick(Underdamping[] u) { throw packed(); }

    @Override public long[] accepted() { return Arrays.copyOfRange(pack.accepted(), first, first + C); }
    @Override public double[][] traces() { return Arrays.copyOfRange(pack.traces(), first, first + C); }
    @Override public long[] divergedAt() { return Arrays.copyOfRange(pack.divergedAt(), first, first + C); }
    @Override public double[][] gradientSquares() { return Arrays.copyOfRange(pack.gradientSquares(), first, first + C); }
    @Override public void accumulate() { pack.accumulate(k); }
    @Override public Moments moments() { return pack.moments(k); }
    @Override public void resetMoments() { pack.resetMoments(k); }
    @Override public void restore(Moments sums, long[] accepted, long[] divergedAt) { pack.restore(k, sums, accepted, divergedAt); }

    @Override
    public void drop(int chain) {
        Objects.checkIndex(chain, C);
        pack.drop(first + chain);
    }

    @Override
    public float[] activations(int chain, boolean test) {
        Objects.checkIndex(chain, C);
        return pack.activations(first + chain, test);
    }

    /** The pack is closed by whoever made it, once every member is done. */
    @Override public void close() {}
}
