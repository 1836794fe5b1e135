package org.nnpost.sampler;

import java.util.Arrays;
import java.util.Objects;

import org.nnpost.backend.Backend;
import org.nnpost.diagnostics.Normal;
import org.nnpost.model.ModelSpec;

/**
 * {@code --eta auto}: per-group step sizes measured during burn-in, then frozen.
 *
 * <p><b>What is measured.</b> For each parameter group g, the curvature λ_g that its moves feel,
 * through MALA's acceptance of moves of that group alone (the others held still, {@code η = 0}):
 * a MALA step is one leapfrog step of size √(2η) from a fresh momentum, and its acceptance is
 * exp(−ΔH). On a Gaussian of curvature λ in d dimensions ΔH is close to normal with variance
 * 2μ and mean μ = d (ηλ)³/4 (the leading term; checked by simulation in the test), so its mean
 * acceptance is 2Φ(−√(μ/2)). Dual averaging (Nesterov 2009, with Hoffman &amp; Gelman's
 * γ = 0.05, t₀ = 10, κ = 0.75) drives each group's η_g to the acceptance at which
 * μ_g = μ₀/G, where μ₀ belongs to MALA's optimal 0.574 (Roberts &amp; Rosenthal 1998), so that a
 * joint move of all groups accepts at 0.574. Then λ_g = (4 μ_g/d_g)^{1/3}/η_g.
 *
 * <p><b>What is set.</b> λ_g is a typical curvature, weighted by λ³; a few directions much
 * stiffer than the rest hide in it (a ReLU readout has one: the mean direction of φ, SPEC §3).
 * What stability and ULA's bias need is the stiffest, and the measurement bounds it: if a single
 * direction carried the group's whole energy error μ_g, then η_g λ_top = (4 μ_g)^{1/3}, so
 * λ_top,g = (4 μ_g)^{1/3}/η_g (about 1.1/η_g) is the largest curvature the group can have.
 * Then, for the algorithm asked for:
 * <ul>
 *   <li>MALA: the groups' step sizes in the measured ratios, their common scale tuned to a joint
 *       acceptance of 0.574 by the same dual averaging (the groups' energy errors do not quite
 *       add, since the groups are coupled);</li>
 *   <li>ULA: η_g = 2ε/λ_top,g with ε = {@link #ULA_BIAS}: ULA inflates the variance along a
 *       direction of curvature λ by 1/(1 − ηλ/2), so ε bounds that inflation along the stiffest
 *       directions, where the loss lives; since the loss's mean is mostly its fit, not its
 *       fluctuation, its relative bias is smaller (benchmarks/RESULTS.md, "Step sizes");</li>
 *   <li>ULD: η_g = {@link #ULD_STABILITY}/λ_top,g: BAOAB samples a Gaussian's configuration
 *       exactly at any stable step, so its step is set by stability (ηλ &lt; 2 along every
 *       direction), with a factor 2 of room.</li>
 * </ul>
 * A first version trusted λ_g for the stiffest curvature (with the likelihood's rank P·m for
 * the number of stiff directions): on Fig. 1's ReLU network it gave ULD a readout step 3.5 times
 * the one that runs, and every chain diverged. The bound gives up a factor (d_g/r)^{1/3} when
 * the stiff directions are many; benchmarks/RESULTS.md ("Step sizes") measures what that costs.
 *
 * <p><b>When.</b> The first 75% of burn-in are tuning steps: until half of burn-in they move
 * the groups in turn (step s moves group s mod G); then, for MALA, joint moves tune the common
 * scale, and for ULA and ULD the groups go on in turn. A tuning step is a MALA step, a valid move of the posterior that cannot
 * blow up (a proposal that diverges is rejected). Then the step sizes freeze, at the dual
 * averages, and the rest of burn-in runs the algorithm asked for at them, so that its own
 * stationary state is reached before the first draw. The tuning reads the backend after every
 * step, so its steps run one by one; it is a function of the seed like the rest, and its state
 * ({@link State}) goes into checkpoints.
 */
public final class StepSizeTuner {
    /** Burn-in steps --eta auto needs at least. */
    public static final long MIN_BURN_IN = 200;
    /** The acceptance of a joint MALA move the tuning aims at (Roberts &amp; Rosenthal 1998). */
    public static final double MALA_TARGET = 0.574;
    /** ULA's tolerated inflation of a variance along the stiffest directions. */
    public static final double ULA_BIAS = 0.025;
    /** ULD's ηλ_top,g: half the stability limit 2. */
    public static final double ULD_STABILITY = 1.0;
    /** The part of burn-in spent tuning. */
    static final double TUNING = 0.75;
    // Hoffman & Gelman (2014), section 3.2
    static final double GAMMA = 0.05, T0 = 10, KAPPA = 0.75;
    static final double MIN_LOG = Math.log(1e-12), MAX_LOG = Math.log(1e2);

    private final SamplerSpec spec;
    private final int[] groupSize;
    private final long jointFrom, freezeAt;
    private final boolean joint;
    private final double groupTarget, groupEnergyError;
    private State state;
    private long[] acceptedBefore;

    /**
     * Where the tuning stands, per group: the dual averaging's updates, the point it shrinks
     * toward, its running error, its iterate and average (of log η_g), and the acceptance of the
     * group's recent moves; the step sizes once frozen.
     */
    public record State(long[] t, double[] mu, double[] hBar, double[] logEta, double[] logEtaBar, double[] acceptance,
                        float[] eta) {
        public State {
            t = t.clone();
            mu = mu.clone();
            hBar = hBar.clone();
            logEta = logEta.clone();
            logEtaBar = logEtaBar.clone();
            acceptance = acceptance.clone();
            eta = eta == null ? null : eta.clone();
        }

        @Override public long[] t() { return t.clone(); }

        @Override public double[] mu() { return mu.clone(); }

        @Override public double[] hBar() { return hBar.clone(); }

        @Override public double[] logEta() { return logEta.clone(); }

        @Override public double[] logEtaBar() { return logEtaBar.clone(); }

        @Override public double[] acceptance() { return acceptance.clone(); }

        @Override public float[] eta() { return eta == null ? null : eta.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Arrays.equals(t, s.t) && Arrays.equals(mu, s.mu) && Arrays.equals(hBar, s.hBar)
                    && Arrays.equals(logEta, s.logEta) && Arrays.equals(logEtaBar, s.logEtaBar)
                    && Arrays.equals(acceptance, s.acceptance) && Arrays.equals(eta, s.eta);
        }

        @Override
        public int hashCode() { return Objects.hash(Arrays.hashCode(t), Arrays.hashCode(logEta), Arrays.hashCode(eta)); }
    }

    /** A tuner for the spec's algorithm and burn-in, starting from its eta. */
    public StepSizeTuner(SamplerSpec spec, ModelSpec model) {
        if (!spec.autoEta()) throw new IllegalArgumentException("the spec has fixed step sizes");
        this.spec = spec;
        int G = model.groups();
        if (spec.eta().length != G) throw new IllegalArgumentException(spec.eta().length + " step sizes for " + G + " groups");
        groupSize = new int[G];
        for (int g = 0; g < G; g++) groupSize[g] = model.groupSize(g);
        freezeAt = (long) (TUNING * spec.burnIn());
        joint = spec.algorithm().equals("mala");
        jointFrom = joint ? spec.burnIn() / 2 : freezeAt;
        groupEnergyError = jointEnergyError() / G;
        groupTarget = acceptance(groupEnergyError);
        float[] eta0 = spec.eta();
        // entries 0..G-1: the groups' own log η_g; entry G: the log of the joint moves' common scale
        double[] mu = new double[G + 1], x = new double[G + 1], acc = new double[G + 1];
        for (int g = 0; g <= G; g++) {
            double e = g < G ? eta0[g] : 1;
            x[g] = Math.log(e);
            mu[g] = Math.log(10 * e);
            acc[g] = Double.NaN;
        }
        state = new State(new long[G + 1], mu, new double[G + 1], x, x.clone(), acc, null);
    }

    /** μ₀ of a joint move at MALA's target: 2Φ(−√(μ₀/2)) = 0.574. */
    static double jointEnergyError() {
        double z = Normal.quantile(MALA_TARGET / 2);
        return 2 * z * z;
    }

    /** The mean acceptance of a move whose ΔH is normal with mean μ and variance 2μ. */
    static double acceptance(double mu) { return 2 * Normal.cdf(-Math.sqrt(mu / 2)); }

    /** The step at which the step sizes freeze; steps before it are tuning steps. */
    public long freezeAt() { return freezeAt; }

    /** The acceptance each group's own moves are tuned to. */
    public double groupTarget() { return groupTarget; }

    public State state() { return state; }

    /** Continues from a checkpoint's state. */
    public void restore(State s) {
        if (s.t().length != groupSize.length + 1) throw new IllegalArgumentException("a tuning state for another network");
        state = s;
        acceptedBefore = null;
    }

    public boolean frozen() { return state.eta() != null; }

    /** The step sizes now: the frozen ones, or the tuning's current MALA step sizes. */
    public float[] eta() {
        if (frozen()) return state.eta();
        float[] e = new float[groupSize.length];
        for (int g = 0; g < e.length; g++) e[g] = (float) Math.exp(state.logEta()[g]);
        return e;
    }

    /** The joint moves' step sizes: the groups' tuned ones (their dual averages) times the joint scale. */
    private float[] jointEta(double logScale) {
        float[] e = new float[groupSize.length];
        for (int g = 0; g < e.length; g++) e[g] = (float) Math.exp(state.logEtaBar()[g] + logScale);
        return e;
    }

    /** λ_g from MALA step sizes η_g tuned to the group target: (4 μ_g/d_g)^{1/3}/η_g. */
    public double[] curvature(double[] malaEta) {
        double[] lambda = new double[malaEta.length];
        for (int g = 0; g < lambda.length; g++) lambda[g] = Math.cbrt(4 * groupEnergyError / groupSize[g]) / malaEta[g];
        return lambda;
    }

    /** The groups' tuned MALA step sizes so far (their dual averages). */
    public double[] groupEta() {
        double[] e = new double[groupSize.length];
        for (int g = 0; g < e.length; g++) e[g] = Math.exp(state.logEtaBar()[g]);
        return e;
    }

    /** The curvatures measured so far. */
    public double[] curvature() { return curvature(groupEta()); }

    /** λ_top,g = (4 μ_g)^{1/3}/η_g: the stiffest curvature group g can have, one direction carrying its energy error. */
    public double[] stiffest() {
        double[] e = groupEta(), l = new double[e.length];
        for (int g = 0; g < l.length; g++) l[g] = Math.cbrt(4 * groupEnergyError) / e[g];
        return l;
    }

    /** ULA's and ULD's step sizes for the stiffest curvatures λ_top,g. */
    static float[] stepSizes(String algorithm, double[] top) {
        float[] e = new float[top.length];
        for (int g = 0; g < e.length; g++)
            e[g] = (float) switch (algorithm) {
                case "ula" -> 2 * ULA_BIAS / top[g];
                case "uld" -> ULD_STABILITY / top[g];
                default -> throw new IllegalArgumentException(algorithm);
            };
        return e;
    }

    /** The algorithm asked for, at the frozen step sizes. */
    public Sampler sampler() {
        if (!frozen()) throw new IllegalStateException("still tuning");
        return Sampler.of(spec.algorithm(), state.eta(), spec.friction());
    }

    /**
     * One tuning step: a MALA move of group (step mod G) alone at its current step size, then
     * that group's dual-averaging update from the acceptances. At {@link #freezeAt} the step sizes
     * freeze.
     */
    public void step(Backend b) {
        if (frozen()) throw new IllegalStateException("the step sizes are frozen");
        int G = groupSize.length;
        boolean jointMove = b.step() >= jointFrom;
        int k = jointMove ? G : (int) (b.step() % G);   // the dual averaging this step informs
        if (acceptedBefore == null) acceptedBefore = b.accepted();
        float[] move;
        if (jointMove) {
            move = jointEta(state.logEta()[G]);
        } else {
            move = new float[G];
            move[k] = (float) Math.exp(state.logEta()[k]);
        }
        new Mala(move).step(b);
        long[] accepted = b.accepted(), divergedAt = b.divergedAt();
        int healthy = 0;
        long moved = 0;
        for (int c = 0; c < accepted.length; c++)
            if (divergedAt[c] < 0) {
                healthy++;
                moved += accepted[c] - acceptedBefore[c];
            }
        acceptedBefore = accepted;
        double alpha = healthy > 0 ? (double) moved / healthy : 0;

        long[] t = state.t();
        double[] hBar = state.hBar(), x = state.logEta(), xBar = state.logEtaBar(), acc = state.acceptance();
        double target = jointMove ? MALA_TARGET : groupTarget;
        t[k]++;
        double w = 1.0 / (t[k] + T0);
        hBar[k] = (1 - w) * hBar[k] + w * (target - alpha);
        x[k] = Math.max(MIN_LOG, Math.min(MAX_LOG, state.mu()[k] - Math.sqrt(t[k]) / GAMMA * hBar[k]));
        double kk = Math.pow(t[k], -KAPPA);
        xBar[k] = kk * x[k] + (1 - kk) * xBar[k];
        acc[k] = Double.isNaN(acc[k]) ? alpha : 0.95 * acc[k] + 0.05 * alpha;
        state = new State(t, state.mu(), hBar, x, xBar, acc, null);
        if (b.step() >= freezeAt)
            state = new State(t, state.mu(), hBar, x, xBar, acc, joint ? jointEta(xBar[G]) : stepSizes(spec.algorithm(), stiffest()));
    }
}
