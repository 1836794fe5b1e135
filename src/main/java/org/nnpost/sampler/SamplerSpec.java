package org.nnpost.sampler;

import java.util.Arrays;

import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * How to sample: the algorithm, one step size per parameter group (W¹ … W^L, a), how many
 * chains and steps, and which draws to keep. It checks itself when made, so a recipe or a test
 * cannot ask for what a flag could not ({@link SpecException}).
 *
 * @param burnIn    steps discarded before the first kept draw (less than steps)
 * @param every     a draw is kept every this many steps after burn-in
 * @param keepDraws how many kept draws also save readout weights and activations (evenly spaced)
 * @param seed      32-bit unsigned sampler seed (the Philox key's first word)
 * @param friction  underdamped Langevin's γ: one value, or one per group (ignored by the others)
 * @param autoEta   --eta auto: eta is where burn-in's tuning starts ({@link StepSizeTuner}), not the step size
 * @param init      where the chains start: "prior" (independent prior draws) or "theory" (each neuron drawn
 *                  from the N → ∞ single-neuron posterior; whether the network allows it is RunConfig's rule)
 */
public record SamplerSpec(String algorithm, float[] eta, int chains, long steps, long burnIn, int every,
                          int keepDraws, int seed, float[] friction, boolean autoEta, String init) {

    /** Every algorithm, as --sampler names them. */
    public static final String[] ALGORITHMS = {"ula", "mala", "uld"};
    /** Where chains may start, as --init names them. */
    public static final String INIT_PRIOR = "prior", INIT_THEORY = "theory";
    public static final String[] INITS = {INIT_PRIOR, INIT_THEORY};
    /** Steps at most: twice this still fits a long, for the arithmetic of schedules. */
    public static final long MAX_STEPS = Long.MAX_VALUE / 2;

    public SamplerSpec {
        Check.oneOf("sampler", algorithm, ALGORITHMS);
        Check.oneOf("init", init, INITS);
        Check.that(eta != null && eta.length > 0, "eta", null, "no step size", "numbers > 0, one per group");
        for (float e : eta)
            Check.that(e > 0 && Float.isFinite(e), "eta", text(eta), "a step size is not positive", "numbers > 0, one per group");
        Check.range("chains", chains, 1, Integer.MAX_VALUE);
        Check.range("steps", steps, 1, MAX_STEPS);
        Check.that(burnIn >= 0 && burnIn < steps, "burn-in", burnIn, "not below steps = " + steps, "0 to " + (steps - 1));
        Check.range("every", every, 1, Integer.MAX_VALUE);
        Check.that(every <= steps - burnIn, "every", every, "leaves no draw after burn-in",
                "1 to steps - burn-in = " + (steps - burnIn));
        Check.range("keep", keepDraws, 0, Math.min(draws(steps, burnIn, every), Integer.MAX_VALUE));
        Check.that(friction != null && (friction.length == 1 || friction.length == eta.length), "friction",
                friction == null ? null : text(friction), (friction == null ? 0 : friction.length) + " values for " + eta.length + " groups",
                "1 or " + eta.length + " numbers > 0, one per group");
        for (float f : friction)
            Check.that(f > 0 && Float.isFinite(f), "friction", text(friction), "a friction is not positive", "numbers > 0");
        Check.that(!autoEta || burnIn >= StepSizeTuner.MIN_BURN_IN, "burn-in", burnIn,
                "too short for --eta auto, which tunes the step sizes during burn-in",
                StepSizeTuner.MIN_BURN_IN + " to " + (steps - 1) + " with --eta auto");
        eta = eta.clone();
        friction = friction.clone();
    }

    /** A spec that starts its chains from the prior. */
    public SamplerSpec(String algorithm, float[] eta, int chains, long steps, long burnIn, int every, int keepDraws, int seed,
                       float[] friction, boolean autoEta) {
        this(algorithm, eta, chains, steps, burnIn, every, keepDraws, seed, friction, autoEta, INIT_PRIOR);
    }

    /** The same spec with its chains starting as {@code start} says (prior or theory). */
    public SamplerSpec withInit(String start) {
        return new SamplerSpec(algorithm, eta, chains, steps, burnIn, every, keepDraws, seed, friction, autoEta, start);
    }

    /** Whether the chains start from the theory's single-neuron posterior. */
    public boolean theoryInit() { return init.equals(INIT_THEORY); }

    /** A spec with fixed step sizes. */
    public SamplerSpec(String algorithm, float[] eta, int chains, long steps, long burnIn, int every, int keepDraws, int seed,
                       float[] friction) {
        this(algorithm, eta, chains, steps, burnIn, every, keepDraws, seed, friction, false);
    }

    /** A spec with fixed step sizes and the default friction (which only underdamped Langevin reads). */
    public SamplerSpec(String algorithm, float[] eta, int chains, long steps, long burnIn, int every, int keepDraws, int seed) {
        this(algorithm, eta, chains, steps, burnIn, every, keepDraws, seed, new float[]{DEFAULT_FRICTION});
    }

    /** Friction by default: critical damping (γ = 2ω) of the slowest directions, whose curvature is the prior's 1/σ² = 1. */
    public static final float DEFAULT_FRICTION = 2f;

    @Override public float[] friction() { return friction.clone(); }

    /** The same step size for every one of the groups. */
    public static float[] uniformEta(int groups, float eta) {
        float[] e = new float[groups];
        Arrays.fill(e, eta);
        return e;
    }

    /** The default spacing of draws: about ten or more draws after burn-in, at most every 20 steps. */
    public static int defaultEvery(long steps, long burnIn) {
        return (int) Math.max(1, Math.min(20, (steps - burnIn) / 10));
    }

    /** The default number of draws saved whole: 10, or all when there are fewer. */
    public static int defaultKeep(long draws) {
        return (int) Math.min(10, draws);
    }

    /** Number of kept draws: steps k with k > burnIn and (k − burnIn) divisible by every. */
    public long draws() { return draws(steps, burnIn, every); }

    static long draws(long steps, long burnIn, int every) { return steps <= burnIn ? 0 : (steps - burnIn) / every; }

    @Override public float[] eta() { return eta.clone(); }

    private static String text(float[] eta) {
        StringBuilder b = new StringBuilder();
        for (float e : eta) b.append(b.length() > 0 ? "," : "").append(e);
        return b.toString();
    }
}
