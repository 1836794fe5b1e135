package org.nnpost.sampler;

import java.util.Arrays;
import java.util.Objects;

import org.nnpost.backend.Backend;
import org.nnpost.model.ModelSpec;

/**
 * {@code --eta auto}: per-group step sizes η_g = s·r_g tuned during burn-in, then frozen.
 *
 * <p>Every algorithm is tuned by the same measurement: MALA's acceptance at η, which is
 * exp(−ΔH) of one leapfrog step of size h = √(2η) from a fresh momentum, so it measures the
 * discretisation error that ULA's move (MALA's proposal) and BAOAB's step (the same h, nnpost's
 * convention, {@link org.nnpost.backend.Underdamping}) make at that η. The tuning steps are MALA
 * steps, which are valid moves of the posterior that cannot blow up (a proposal that diverges
 * is rejected), so a run tuning from a poor start loses nothing. The scale s is driven to a
 * target acceptance δ by dual averaging (Nesterov 2009, as Hoffman &amp; Gelman 2014 use it,
 * with their γ = 0.05, t₀ = 10, κ = 0.75), on the acceptance averaged over the chains at each
 * step:
 * <ul>
 *   <li>MALA: δ = 0.574, the optimal acceptance of Roberts &amp; Rosenthal (1998);</li>
 *   <li>ULA and ULD: a higher δ ({@link #target}), since they do not correct the error that
 *       MALA's rejections measure: at δ the bias of ⟨‖a‖²⟩ and ⟨loss⟩ stays near 1 % on the
 *       benchmarks' networks (benchmarks/RESULTS.md, "Step sizes").</li>
 * </ul>
 * The ratios r_g between the groups come from their mean curvatures: under the posterior
 * E‖∇_g U‖² = E[Δ_g U], so λ̄_g = E‖∇_g U‖²/d_g, averaged over the chains and the steps of a
 * window, is the mean diagonal of group g's Hessian, and r_g = λ̄_max/λ̄_g gives every group a
 * step of the same size relative to its own curvature (the diagonal preconditioning of RMSprop
 * or pSGLD, fixed per group so that the dynamics stay exact Langevin dynamics).
 *
 * <p>Windows, as fractions of burn-in B: [0, 0.15 B) scale only; [0.15 B, 0.5 B) scale and
 * curvatures; at 0.5 B the ratios are set and the dual averaging restarts there; [0.5 B, 0.8 B)
 * scale; at 0.8 B the step sizes freeze (the averaged iterate) and the rest of burn-in runs the
 * algorithm asked for at them, so its own stationary state is reached before the first draw.
 *
 * <p>The tuning reads the backend after every step (acceptances, and in the curvature window
 * gradient norms), so its steps run one by one; it is deterministic in the seed like the rest,
 * and its state ({@link State}) goes into checkpoints.
 */
public final class StepSizeTuner {
    /** Burn-in steps --eta auto needs at least: 30 steps for the first window, 70 for curvatures. */
    public static final long MIN_BURN_IN = 200;
    /** MALA's target acceptance (Roberts &amp; Rosenthal 1998). */
    public static final double MALA_TARGET = 0.574;
    /** ULA's target: MALA's acceptance of ULA's own proposals, at which its bias stays near 1 %. */
    public static final double ULA_TARGET = 0.9;
    /** ULD's target: BAOAB's configurational bias is smaller than ULA's at the same η. */
    public static final double ULD_TARGET = 0.8;
    /** Ratios between the groups' step sizes are kept within this factor. */
    static final double MAX_RATIO = 1e4;
    // Hoffman & Gelman (2014), section 3.2
    static final double GAMMA = 0.05, T0 = 10, KAPPA = 0.75;
    static final double MIN_LOG = Math.log(1e-10), MAX_LOG = Math.log(1e2);

    private final SamplerSpec spec;
    private final int[] groupSize;
    private final long curvatureFrom, ratiosAt, freezeAt;
    private final double target;
    private State state;
    private long[] acceptedBefore;

    /**
     * Where the tuning stands: the dual averaging's iterate, its average and its running error,
     * the ratios, the curvature sums, and the frozen step sizes once frozen.
     *
     * @param t            dual-averaging updates since its last (re)start
     * @param mu           the point it shrinks toward, log(10 s₀)
     * @param hBar         the running mean of δ − α
     * @param logScale     log s of the latest iterate
     * @param logScaleBar  the averaged iterate, what freezes
     * @param ratio        r_g
     * @param gradSq       Σ over steps and healthy chains of ‖∇_g U‖²/d_g
     * @param samples      the number of terms in each gradSq sum
     * @param acceptance   the last window's mean acceptance (NaN before any step)
     * @param eta          the frozen step sizes, or null while tuning
     */
    public record State(long t, double mu, double hBar, double logScale, double logScaleBar, double[] ratio,
                        double[] gradSq, long samples, double acceptance, float[] eta) {
        public State {
            ratio = ratio.clone();
            gradSq = gradSq.clone();
            eta = eta == null ? null : eta.clone();
        }

        @Override public double[] ratio() { return ratio.clone(); }

        @Override public double[] gradSq() { return gradSq.clone(); }

        @Override public float[] eta() { return eta == null ? null : eta.clone(); }

        /** λ̄_g, the mean curvature per coordinate measured for each group (NaN before the window). */
        public double[] curvature() {
            double[] c = new double[gradSq.length];
            for (int g = 0; g < c.length; g++) c[g] = samples > 0 ? gradSq[g] / samples : Double.NaN;
            return c;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && t == s.t && Double.compare(mu, s.mu) == 0 && Double.compare(hBar, s.hBar) == 0
                    && Double.compare(logScale, s.logScale) == 0 && Double.compare(logScaleBar, s.logScaleBar) == 0
                    && Arrays.equals(ratio, s.ratio) && Arrays.equals(gradSq, s.gradSq) && samples == s.samples
                    && Double.compare(acceptance, s.acceptance) == 0 && Arrays.equals(eta, s.eta);
        }

        @Override
        public int hashCode() { return Objects.hash(t, mu, hBar, logScale, Arrays.hashCode(ratio), samples, Arrays.hashCode(eta)); }
    }

    /** A tuner for the spec's algorithm and burn-in, starting from its eta (all groups at their given values). */
    public StepSizeTuner(SamplerSpec spec, ModelSpec model) {
        if (!spec.autoEta()) throw new IllegalArgumentException("the spec has fixed step sizes");
        this.spec = spec;
        int G = model.groups();
        if (spec.eta().length != G) throw new IllegalArgumentException(spec.eta().length + " step sizes for " + G + " groups");
        groupSize = new int[G];
        for (int g = 0; g < G; g++) groupSize[g] = model.groupSize(g);
        long B = spec.burnIn();
        curvatureFrom = (long) (0.15 * B);
        ratiosAt = B / 2;
        freezeAt = (long) (0.8 * B);
        target = target(spec.algorithm());
        float[] eta0 = spec.eta();
        double s0 = 0;
        for (float e : eta0) s0 = Math.max(s0, e);
        double[] ratio = new double[G];
        for (int g = 0; g < G; g++) ratio[g] = eta0[g] / s0;
        state = start(s0, ratio, new double[G], 0, Double.NaN);
    }

    /** The acceptance MALA is tuned to for an algorithm's step sizes. */
    public static double target(String algorithm) {
        return switch (algorithm) {
            case "mala" -> MALA_TARGET;
            case "ula" -> ULA_TARGET;
            case "uld" -> ULD_TARGET;
            default -> throw new IllegalArgumentException(algorithm);
        };
    }

    private static State start(double scale, double[] ratio, double[] gradSq, long samples, double acceptance) {
        double x = Math.log(scale);
        return new State(0, Math.log(10 * scale), 0, x, x, ratio, gradSq, samples, acceptance, null);
    }

    /** The step at which the step sizes freeze; steps before it are tuning steps. */
    public long freezeAt() { return freezeAt; }

    public double target() { return target; }

    public State state() { return state; }

    /** Continues from a checkpoint's state. */
    public void restore(State s) {
        if (s.ratio().length != groupSize.length) throw new IllegalArgumentException("a tuning state for another network");
        state = s;
        acceptedBefore = null;
    }

    public boolean frozen() { return state.eta() != null; }

    /** The step sizes now: the frozen ones, or s·r_g while tuning. */
    public float[] eta() {
        if (frozen()) return state.eta();
        return eta(Math.exp(state.logScale()), state.ratio());
    }

    private static float[] eta(double scale, double[] ratio) {
        float[] e = new float[ratio.length];
        for (int g = 0; g < e.length; g++) e[g] = (float) (scale * ratio[g]);
        return e;
    }

    /** The algorithm asked for, at the frozen step sizes. */
    public Sampler sampler() {
        if (!frozen()) throw new IllegalStateException("still tuning");
        return Sampler.of(spec.algorithm(), state.eta(), spec.friction());
    }

    /**
     * One tuning step: a MALA step of every chain at the current step sizes, then the updates its
     * acceptances (and, in the curvature window, the gradients) ask for. At {@link #freezeAt} the
     * step sizes freeze.
     */
    public void step(Backend b) {
        if (frozen()) throw new IllegalStateException("the step sizes are frozen");
        if (acceptedBefore == null) acceptedBefore = b.accepted();
        new Mala(eta()).step(b);
        long step = b.step();
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
        State s = state;
        double[] gradSq = s.gradSq();
        long samples = s.samples();
        if (step > curvatureFrom && step <= ratiosAt) {
            double[][] sq = b.gradientSquares();
            for (int c = 0; c < sq.length; c++)
                if (divergedAt[c] < 0 && allFinite(sq[c])) {
                    for (int g = 0; g < gradSq.length; g++) gradSq[g] += sq[c][g] / groupSize[g];
                    samples++;
                }
        }
        // dual averaging on log s
        long t = s.t() + 1;
        double w = 1.0 / (t + T0);
        double hBar = (1 - w) * s.hBar() + w * (target - alpha);
        double x = clamp(s.mu() - Math.sqrt(t) / GAMMA * hBar);
        double k = Math.pow(t, -KAPPA);
        double xBar = k * x + (1 - k) * s.logScaleBar();
        double acceptance = Double.isNaN(s.acceptance()) ? alpha : 0.98 * s.acceptance() + 0.02 * alpha;
        state = new State(t, s.mu(), hBar, x, xBar, s.ratio(), gradSq, samples, acceptance, null);
        if (step == ratiosAt) setRatios();
        if (step >= freezeAt) state = new State(state.t(), state.mu(), state.hBar(), state.logScale(), state.logScaleBar(),
                state.ratio(), state.gradSq(), state.samples(), state.acceptance(), eta(Math.exp(state.logScaleBar()), state.ratio()));
    }

    /** r_g = λ̄_max/λ̄_g from the curvature window, and the dual averaging restarted at the scale reached. */
    private void setRatios() {
        double[] lambda = state.curvature();
        double[] ratio = state.ratio();
        double max = 0;
        for (double l : lambda) max = Math.max(max, l);
        if (state.samples() > 0 && max > 0 && Double.isFinite(max))
            for (int g = 0; g < ratio.length; g++)
                ratio[g] = lambda[g] > 0 ? Math.min(MAX_RATIO, max / lambda[g]) : MAX_RATIO;
        state = start(Math.exp(state.logScaleBar()), ratio, state.gradSq(), state.samples(), state.acceptance());
    }

    private static double clamp(double x) { return Math.max(MIN_LOG, Math.min(MAX_LOG, x)); }

    private static boolean allFinite(double[] v) {
        for (double x : v) if (!Double.isFinite(x)) return false;
        return true;
    }
}
