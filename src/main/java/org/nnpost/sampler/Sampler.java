package org.nnpost.sampler;

import java.util.Arrays;

import org.nnpost.backend.Backend;
import org.nnpost.backend.StepSizes;
import org.nnpost.backend.Traces;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;

/**
 * A Langevin algorithm, in BlackJAX's shape: {@link #init} and {@link #step} over the chain state
 * a {@link Backend} holds, composed from the backend's primitives, so that the algorithm is
 * written once here and runs unchanged on the CPU or the GPU; {@link #info} reports on a block of
 * steps. Invariant kept by every implementation: after {@link #init} and after each {@link #step},
 * the backend's gradient, traces and divergence flags describe its current parameters, so a run
 * may observe between any two steps.
 *
 * <p>A step reads nothing back to the host: a GPU backend records it once as a CUDA graph and
 * replays it ({@link Backend#repeat}).
 */
public interface Sampler {

    /** The name used in flags and the manifest (ula, mala). */
    String name();

    /** The step sizes, one per parameter group, with their noise scales. */
    StepSizes stepSizes();

    /** The state a run starts from, given its parameters: the algorithm adds what it carries beside them (momenta, say). */
    default ChainState start(ChainState state, ModelSpec spec) { return state; }

    /** Makes the invariant hold for freshly loaded parameters. */
    default void init(Backend b) { b.gradient(); }

    /** Advances every chain by one step. */
    void step(Backend b);

    /** Where the chains stand, read from the backend (a host read: call it between blocks of steps). */
    default Info info(Backend b) { return Info.of(b); }

    /**
     * The sampler for an algorithm name (ula, mala) with step sizes η_g.
     *
     * @throws IllegalArgumentException for another name or a step size that is not finite and positive
     */
    static Sampler of(String algorithm, float[] eta) {
        return of(algorithm, eta, new float[]{Uld.DEFAULT_FRICTION});
    }

    /** The sampler a spec names, with its step sizes and (for uld) frictions. */
    static Sampler of(SamplerSpec s) { return of(s.algorithm(), s.eta(), s.friction()); }

    static Sampler of(String algorithm, float[] eta, float[] friction) {
        // a group held still (η = 0) is the tuner's business, not a run's
        for (float e : eta) if (!(e > 0) || !Float.isFinite(e)) throw new IllegalArgumentException("step size " + e + ": must be finite and > 0");
        return switch (algorithm) {
            case "ula" -> new Ula(eta);
            case "mala" -> new Mala(eta);
            case "uld" -> new Uld(eta, friction);
            default -> throw new IllegalArgumentException(algorithm);
        };
    }

    /**
     * The chains after a block of steps.
     *
     * @param step       the step counter reached
     * @param accepted   per chain, MALA proposals accepted since the parameters were loaded (0 for ULA,
     *                   which proposes nothing)
     * @param divergedAt per chain, the step at which it diverged, or −1
     * @param potential  per chain, U at the current parameters
     */
    record Info(long step, long[] accepted, long[] divergedAt, double[] potential) {
        public Info {
            if (accepted.length != divergedAt.length || potential.length != divergedAt.length)
                throw new IllegalArgumentException("one entry per chain in each array");
            accepted = accepted.clone();
            divergedAt = divergedAt.clone();
            potential = potential.clone();
        }

        /** Reads the backend: its step, acceptance counts, divergence flags and potentials. */
        public static Info of(Backend b) {
            double[][] t = b.traces();
            double[] u = new double[t.length];
            for (int c = 0; c < t.length; c++) u[c] = t[c][Traces.POTENTIAL];
            return new Info(b.step(), b.accepted(), b.divergedAt(), u);
        }

        public int chains() { return divergedAt.length; }

        /** How many chains have diverged. */
        public int diverged() { return (int) Arrays.stream(divergedAt).filter(s -> s >= 0).count(); }

        /** The fraction of proposals accepted, over every chain, in the steps since {@code before}. */
        public double acceptanceSince(Info before) {
            long steps = step - before.step;
            if (steps <= 0 || before.chains() != chains()) throw new IllegalArgumentException("not an earlier info of these chains");
            long n = 0;
            for (int c = 0; c < chains(); c++) n += accepted[c] - before.accepted[c];
            return (double) n / steps / chains();
        }

        @Override public long[] accepted() { return accepted.clone(); }

        @Override public long[] divergedAt() { return divergedAt.clone(); }

        @Override public double[] potential() { return potential.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Info i && step == i.step && Arrays.equals(accepted, i.accepted)
                    && Arrays.equals(divergedAt, i.divergedAt) && Arrays.equals(potential, i.potential);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * Long.hashCode(step) + Arrays.hashCode(accepted)) + Arrays.hashCode(divergedAt))
                    + Arrays.hashCode(potential);
        }

        @Override
        public String toString() {
            return "Info[step=" + step + ", accepted=" + Arrays.toString(accepted) + ", divergedAt="
                    + Arrays.toString(divergedAt) + ", potential=" + Arrays.toString(potential) + "]";
        }
    }
}
