package org.nnpost.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.nnpost.backend.Backend;
import org.nnpost.backend.BackendFactory;
import org.nnpost.backend.BackendSpec;
import org.nnpost.backend.Traces;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.diagnostics.Convergence;
import org.nnpost.model.ChainState;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.sampler.StepSizeTuner;
import org.nnpost.sampler.Uld;

/**
 * Chain-steps per second of the ULA step (gradient + update, all chains) on named problem sizes,
 * and the GFLOP/s that implies by SPEC §9's count. Timing starts after a warm-up (JIT, caches,
 * GPU clocks); each repeat times a block of steps, and the median over repeats is reported with
 * the spread, since shared machines are noisy.
 */
public final class Bench {
    private Bench() {}

    /** Step size for every group: small enough that no preset diverges over a benchmark's steps. */
    public static final float ETA = 1e-4f;
    static final int SEED = 1, DATA_SEED = 1;

    /**
     * A problem size to time.
     *
     * @param P     training inputs
     * @param Ptest test inputs (not touched by the step; there so backends allocate as in a run)
     */
    public record Preset(String name, ModelSpec spec, int P, int Ptest, int chains) {
        public static final String NAMES = "small, reference, paper, deep, fig1-linear, fig1-erf, fig1-relu";

        /**
         * small, reference, paper, deep (SPEC §8 sizes, two classes, ReLU, mean-field, β₀ = 1), and
         * Fig. 1's linear, erf and ReLU networks at N = P = 100, N0 = 102, β₀ = 10.
         */
        public static Preset named(String name) {
            return switch (name) {
                case "small" -> of(name, 1, 100, 100, 110, 16);
                case "reference" -> of(name, 1, 200, 200, 220, 16);
                case "paper" -> of(name, 1, 500, 500, 520, 16);
                case "deep" -> of(name, 3, 200, 200, 220, 16);
                // Fig. 1's three networks at a fifth of the paper's size (nnpost reproduce fig1 --scale 0.2)
                case "fig1-linear" -> fig1(name, Phi.LINEAR);
                case "fig1-erf" -> fig1(name, Phi.ERF);
                case "fig1-relu" -> fig1(name, Phi.RELU);
                default -> throw new IllegalArgumentException(
                        "preset " + name + ": allowed values are " + NAMES);
            };
        }

        static Preset fig1(String name, Phi phi) {
            ModelSpec spec = new ModelSpec(1, 100, 102, 2, phi, Scaling.MEANFIELD, 10.0, true, 1.0, 1.0);
            return new Preset(name, spec, 100, 100, 16);
        }

        static Preset of(String name, int L, int N, int P, int N0, int chains) {
            ModelSpec spec = new ModelSpec(L, N, N0, 2, Phi.RELU, Scaling.MEANFIELD, 1.0, true, 1.0, 1.0);
            return new Preset(name, spec, P, Math.min(P, 100), chains);
        }

        /** The same problem with another number of chains (GPU runs use 1024 and more). */
        public Preset withChains(int c) { return new Preset(name, spec, P, Ptest, c); }

        /** The data every backend and peer sees: orthogonal inputs, two classes in equal numbers. */
        public Task task() {
            return OrthogonalTask.generate(spec.N0(), P, Ptest, new double[]{0.5, 0.5}, true, 1.0, -1.0, 0.5, DATA_SEED);
        }
    }

    /** Same as {@link Preset#named}. */
    public static Preset named(String name) { return Preset.named(name); }

    /**
     * Floating-point operations per chain and step (SPEC §9): the first layer's forward pass and
     * weight gradient, 2·P·N0·N each; every further hidden layer adds forward, weight gradient and
     * backpropagated error, 2·P·N² each. The readout (O(P·N·m)) and elementwise work are not
     * counted. With no hidden layer the readout is the only layer: 4·P·N0·m.
     */
    public static double flopsPerChainStep(ModelSpec spec, int P) {
        if (spec.L() == 0) return 4.0 * P * spec.N0() * spec.m();
        return 4.0 * P * spec.N0() * spec.N() + 6.0 * P * (double) spec.N() * spec.N() * (spec.L() - 1);
    }

    /**
     * @param perRepeat chain-steps/s of each repeat, in the order measured
     * @param diverged  chains flagged as diverged at the end (a benchmark with any is suspect)
     */
    public record Result(String preset, String backend, String device, int threads, int chains,
                         int warmupSteps, int steps, double[] perRepeat, double median, double min, double max,
                         double gflops, int diverged, String sampler) {

        /** One readable line. */
        public String format() {
            return String.format(Locale.ROOT,
                    "%-9s %-4s %-4s threads=%d C=%d: %.1f chain-steps/s (median of %d, range %.1f..%.1f, %.0f%% spread), %.2f GFLOP/s%s  [%s]",
                    preset, backend, sampler, threads, chains, median, perRepeat.length, min, max,
                    median > 0 ? 100 * (max - min) / median : 0, gflops,
                    diverged > 0 ? ", " + diverged + " chains DIVERGED" : "", device);
        }

        public String toJson() {
            StringBuilder r = new StringBuilder("[");
            for (int i = 0; i < perRepeat.length; i++) r.append(i > 0 ? ", " : "").append(num(perRepeat[i]));
            r.append(']');
            return String.format(Locale.ROOT,
                    "{\"preset\": \"%s\", \"backend\": \"%s\", \"sampler\": \"%s\", \"device\": \"%s\", \"threads\": %d, \"chains\": %d, "
                            + "\"warmup_steps\": %d, \"steps\": %d, \"chain_steps_per_s\": %s, \"chain_steps_per_s_min\": %s, "
                            + "\"chain_steps_per_s_max\": %s, \"repeats\": %s, \"gflops\": %s, \"diverged\": %d}",
                    esc(preset), esc(backend), esc(sampler), esc(device), threads, chains, warmupSteps, steps, num(median), num(min),
                    num(max), r, num(gflops), diverged);
        }

        static String num(double v) { return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null"; }

        private static String esc(String s) { return s.replace("\\", "\\\\").replace("\"", "\\\""); }
    }

    /**
     * Times ULA steps (update, then forward and backward pass for every chain) of the preset on the
     * backend asked for (cpu, cuda or auto, with its threads and GPU settings).
     */
    public static Result measure(Preset preset, BackendSpec backend, int warmupSteps, int steps, int repeats) {
        return measure(preset, backend, warmupSteps, steps, repeats, ETA);
    }

    /** {@link #measure} at another step size than {@link #ETA}: how a test makes the timed chains diverge. */
    static Result measure(Preset preset, BackendSpec backend, int warmupSteps, int steps, int repeats, float eta) {
        return measure(preset, backend, warmupSteps, steps, repeats, eta, new String[]{"ula"}).get(0);
    }

    /**
     * Times the steps of each algorithm (ula, mala, uld; each on its own backend with the same
     * chains) in alternating rounds: repeat r times every algorithm once before repeat r + 1
     * starts, so that a machine that slows down in the middle slows every algorithm alike and
     * their ratio stays honest. MALA's step includes its proposal's forward and backward pass and
     * the accept/reject; ULD's its half-kicks of the momenta.
     */
    public static List<Result> measure(Preset preset, BackendSpec backend, int warmupSteps, int steps, int repeats, float eta,
                                       String[] algorithms) {
        if (steps < 1 || repeats < 1 || warmupSteps < 0)
            throw new IllegalArgumentException("need steps ≥ 1, repeats ≥ 1, warm-up ≥ 0");
        ModelSpec spec = preset.spec();
        int A = algorithms.length;
        Backend[] bs = new Backend[A];
        try {
            Runnable[] step = new Runnable[A];
            for (int k = 0; k < A; k++) {
                bs[k] = BackendFactory.create(backend, spec, preset.task(), preset.chains()).backend();
                Sampler s = Sampler.of(algorithms[k], SamplerSpec.uniformEta(spec.groups(), eta), new float[]{Uld.DEFAULT_FRICTION});
                bs[k].load(s.start(ChainState.fromPrior(spec, preset.chains(), SEED), spec));
                s.init(bs[k]);
                Backend b = bs[k];
                step[k] = () -> s.step(b);
                b.repeat(warmupSteps, step[k]);
                b.traces();   // a host read: waits for queued device work
            }
            double[][] rate = new double[A][repeats];
            for (int r = 0; r < repeats; r++)
                for (int k = 0; k < A; k++) {
                    long t0 = System.nanoTime();
                    bs[k].repeat(steps, step[k]);
                    bs[k].traces();
                    rate[k][r] = preset.chains() * (double) steps / ((System.nanoTime() - t0) * 1e-9);
                }
            List<Result> out = new ArrayList<>();
            for (int k = 0; k < A; k++) {
                double[] sorted = rate[k].clone();
                Arrays.sort(sorted);
                double median = repeats % 2 == 1 ? sorted[repeats / 2] : 0.5 * (sorted[repeats / 2 - 1] + sorted[repeats / 2]);
                double gflops = median * flopsPerChainStep(spec, preset.P()) * 1e-9;
                out.add(new Result(preset.name(), backend.kind(), bs[k].description(), backend.threads(), preset.chains(), warmupSteps,
                        steps, rate[k], median, sorted[0], sorted[repeats - 1], gflops, diverged(bs[k]), algorithms[k]));
            }
            return out;
        } finally {
            for (Backend b : bs) if (b != null) b.close();
        }
    }

    /**
     * How fast one algorithm mixes, not only how fast it steps: per trace (potential, loss,
     * ‖θ_g‖²) and for the readout second moment Q_rs = (1/N) Σ_i a_ri a_si (the order parameter
     * whose structure is the code), the bulk ESS over all chains (Vehtari et al. 2021) of the
     * second half of the run, and that per second of the second half's steps (host reads for the
     * readout excluded). Also ⟨‖a‖²⟩ and ⟨loss⟩ with their Monte Carlo errors sd/√ESS, which is
     * what matching the accuracy of two algorithms needs.
     *
     * @param sampler     ula, mala or uld
     * @param eta         the step sizes per group it ran at (the tuned ones with --eta auto)
     * @param tuned       whether eta was tuned in the first half ({@link StepSizeTuner})
     * @param steps       the steps run: fewer than asked when chains diverged (the run stops there)
     * @param traces      the trace names, in the order of essBulk
     * @param essReadout  the least bulk ESS over the entries of Q
     * @param acceptance  MALA's acceptance in the second half (NaN for the others)
     * @param seconds     wall time of the second half's steps
     * @param diverged    chains that diverged; then every ESS is NaN
     */
    public record Mixing(String preset, String sampler, float[] eta, boolean tuned, float friction, int steps, int thin,
                         String[] traces, double[] essBulk, double essReadout, double rhatMax, double meanSqNormA,
                         double mcseSqNormA, double meanLoss, double mcseLoss, double acceptance, double seconds,
                         int chains, int diverged) {

        /** The trace with the least bulk ESS. */
        public int slowest() {
            int k = 0;
            // an ESS that is NaN (a trace that is not finite, or does not move) is the worst
            for (int i = 1; i < essBulk.length && !Double.isNaN(essBulk[k]); i++)
                if (Double.isNaN(essBulk[i]) || essBulk[i] < essBulk[k]) k = i;
            return k;
        }

        public double essSlowest() { return essBulk[slowest()]; }

        /** Bulk ESS per second of the slowest trace. */
        public double essPerSecond() { return essSlowest() / seconds; }

        public double readoutEssPerSecond() { return essReadout / seconds; }

        /** Chain-steps per second of the second half. */
        public double chainStepsPerSecond() { return chains * (steps / 2.0) / seconds; }

        public String format() {
            return String.format(Locale.ROOT,
                    "%-9s %-4s eta=%s%s: %.1f chain-steps/s; slowest trace %s ESS %.1f (%.3g ESS/s), readout Q ESS %.1f "
                            + "(%.3g ESS/s), R-hat max %.3f; <|a|^2> = %.5g +- %.2g, <loss> = %.5g +- %.2g%s over %d steps",
                    preset, sampler, etaText(eta), tuned ? " (auto)" : "", chainStepsPerSecond(), traces[slowest()], essSlowest(),
                    essPerSecond(), essReadout, readoutEssPerSecond(), rhatMax, meanSqNormA, mcseSqNormA, meanLoss, mcseLoss,
                    Double.isNaN(acceptance) ? "" : String.format(Locale.ROOT, ", acceptance %.3f", acceptance), steps);
        }

        public String toJson() {
            StringBuilder ess = new StringBuilder("{");
            for (int i = 0; i < traces.length; i++) ess.append(i > 0 ? ", " : "").append('"').append(traces[i]).append("\": ").append(Result.num(essBulk[i]));
            float[] e = eta;
            StringBuilder et = new StringBuilder("[");
            for (int g = 0; g < e.length; g++) et.append(g > 0 ? ", " : "").append(Result.num(e[g]));
            return String.format(Locale.ROOT,
                    "{\"preset\": \"%s\", \"sampler\": \"%s\", \"eta\": %s, \"eta_auto\": %s, \"friction\": %s, \"steps\": %d, "
                            + "\"thin\": %d, \"chains\": %d, \"ess_bulk\": %s}, \"slowest\": \"%s\", \"ess_slowest\": %s, "
                            + "\"ess_per_s\": %s, \"ess_readout\": %s, \"readout_ess_per_s\": %s, \"rhat_max\": %s, "
                            + "\"mean_sqnorm_a\": %s, \"mcse_sqnorm_a\": %s, \"mean_loss\": %s, \"mcse_loss\": %s, "
                            + "\"acceptance\": %s, \"seconds\": %s, \"chain_steps_per_s\": %s, \"diverged\": %d}",
                    preset, sampler, et.append(']'), tuned, sampler.equals("uld") ? Result.num(friction) : "null", steps, thin, chains,
                    ess, traces[slowest()], Result.num(essSlowest()), Result.num(essPerSecond()), Result.num(essReadout),
                    Result.num(readoutEssPerSecond()), Result.num(rhatMax), Result.num(meanSqNormA), Result.num(mcseSqNormA),
                    Result.num(meanLoss), Result.num(mcseLoss), Result.num(acceptance), Result.num(seconds),
                    Result.num(chainStepsPerSecond()), diverged);
        }

        @Override public float[] eta() { return eta.clone(); }

        @Override public String[] traces() { return traces.clone(); }

        @Override public double[] essBulk() { return essBulk.clone(); }
    }

    /** Step sizes as --eta writes them: one number when all groups share it. */
    static String etaText(float[] eta) {
        boolean same = true;
        for (float e : eta) same &= e == eta[0];
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < (same ? 1 : eta.length); g++)
            b.append(g > 0 ? "," : "").append(new java.math.BigDecimal(Float.toString(eta[g])).stripTrailingZeros().toPlainString());
        return b.toString();
    }

    /** The preset's backend with its chains drawn from the prior. */
    /** ULA at step size eta in every group, recording every thin steps: the loss-trace ESS run of earlier versions. */
    public static Mixing mixing(Preset preset, BackendSpec backend, int steps, int thin, float eta) {
        return mixing(preset, backend, steps, thin, "ula", eta, false, Uld.DEFAULT_FRICTION, false);
    }

    /**
     * ULD's step size for {@link #mixing}'s burnInByUld: within 0.3% of ULD at half or twice it
     * in ⟨‖a‖²⟩ and ⟨loss⟩ on every preset (benchmarks/RESULTS.md, "Step sizes").
     */
    public static final float BURN_IN_ETA = 0.0025f;

    /**
     * Runs the preset's chains with an algorithm for steps, recording the traces and the readout
     * second moment every thin steps; the first half is burn-in (with tuned = true, --eta auto
     * tunes in it, starting from eta). Stops early when a chain diverges, since the rest would
     * time non-finite arithmetic.
     *
     * @param burnInByUld burn in with ULD at {@link #BURN_IN_ETA} instead: a reference run of a slow
     *                    exact sampler (MALA) then starts from the posterior instead of relaxing to
     *                    it for longer than its burn-in (tuned must be false then)
     */
    public static Mixing mixing(Preset preset, BackendSpec backend, int steps, int thin, String algorithm, float eta,
                                boolean tuned, float friction, boolean burnInByUld) {
        if (tuned && burnInByUld) throw new IllegalArgumentException("--eta auto tunes during burn-in; a burn-in by ULD leaves none");
        if (steps < 8 * thin) throw new IllegalArgumentException("need at least four recorded draws per chain in each half");
        ModelSpec spec = preset.spec();
        int C = preset.chains(), draws = steps / thin, half = draws / 2, G = spec.groups(), m = spec.m(), N = spec.N();
        int A = G - 1, nq = m * (m + 1) / 2;
        String[] names = Traces.names(spec);
        double[][][] tr = new double[names.length][C][draws - half];
        double[][][] q = new double[nq][C][draws - half];
        float[] eta0 = SamplerSpec.uniformEta(G, eta), frictions = {friction};
        long burnIn = (long) half * thin;
        StepSizeTuner tuner = tuned
                ? new StepSizeTuner(new SamplerSpec(algorithm, eta0, C, steps, burnIn, 1, 0, SEED, frictions, true), spec) : null;
        Sampler sampler = Sampler.of(algorithm, eta0, frictions);
        double seconds = 0;
        long accepted0 = 0;
        try (Backend b = BackendFactory.create(backend, spec, preset.task(), C).backend()) {
            Sampler first = burnInByUld ? new Uld(SamplerSpec.uniformEta(G, BURN_IN_ETA), frictions) : sampler;
            b.load(first.start(ChainState.fromPrior(spec, C, SEED), spec));
            first.init(b);
            for (int d = 0; d < draws; d++) {
                long t0 = System.nanoTime();
                if (burnInByUld && d < half) {
                    b.repeat(thin, () -> first.step(b));
                    if (d == half - 1) {
                        ChainState s = b.snapshot();
                        b.load(sampler.start(new ChainState(C, s.seed(), s.step(), s.params()), spec));
                        sampler.init(b);
                    }
                } else if (tuner != null && !tuner.frozen()) {
                    for (int k = 0; k < thin; k++) {
                        if (!tuner.frozen()) tuner.step(b);
                        else tuner.sampler().step(b);
                    }
                    if (tuner.frozen()) sampler = tuner.sampler();
                } else {
                    Sampler s = sampler;
                    b.repeat(thin, () -> s.step(b));
                }
                double[][] t = b.traces();
                if (d >= half) seconds += (System.nanoTime() - t0) * 1e-9;
                int diverged = diverged(b);
                if (diverged > 0) {
                    double[] nan = new double[names.length];
                    Arrays.fill(nan, Double.NaN);
                    return new Mixing(preset.name(), algorithm, tuner != null ? tuner.eta() : eta0, tuned, friction, (d + 1) * thin, thin,
                            names, nan, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, seconds, C, diverged);
                }
                if (d == half - 1) accepted0 = sum(b.accepted());
                if (d < half) continue;
                for (int k = 0; k < names.length; k++)
                    for (int c = 0; c < C; c++) tr[k][c][d - half] = t[c][k];
                float[] a = b.snapshot().params()[A];   // [chain][m][N]
                for (int c = 0; c < C; c++) {
                    int k = 0;
                    for (int r = 0; r < m; r++)
                        for (int u = r; u < m; u++, k++) {
                            double sum = 0;
                            int or = (c * m + r) * N, ou = (c * m + u) * N;
                            for (int i = 0; i < N; i++) sum += (double) a[or + i] * a[ou + i];
                            q[k][c][d - half] = sum / N;
                        }
                }
            }
            double acceptance = algorithm.equals("mala") ? (sum(b.accepted()) - accepted0) / (double) C / ((long) (draws - half) * thin) : Double.NaN;
            double[] ess = new double[names.length];
            double rhat = 0;
            for (int k = 0; k < names.length; k++) {
                Convergence.Diagnostics dg = Convergence.of(tr[k]);
                ess[k] = dg.essBulk();
                rhat = Math.max(rhat, dg.rhat());
            }
            double essQ = Double.POSITIVE_INFINITY;
            for (double[][] series : q) essQ = Math.min(essQ, Convergence.essBulk(series));
            int ia = Traces.sqNorm(A);
            return new Mixing(preset.name(), algorithm, tuner != null ? tuner.eta() : eta0, tuned, friction, steps, thin, names,
                    ess, essQ, rhat, mean(tr[ia]), mcse(tr[ia], ess[ia]), mean(tr[Traces.LOSS]), mcse(tr[Traces.LOSS], ess[Traces.LOSS]),
                    acceptance, seconds, C, 0);
        }
    }

    private static long sum(long[] v) {
        long s = 0;
        for (long x : v) s += x;
        return s;
    }

    private static double mean(double[][] chains) {
        double s = 0;
        long n = 0;
        for (double[] c : chains)
            for (double x : c) {
                s += x;
                n++;
            }
        return s / n;
    }

    /** Monte Carlo error of the mean: the draws' sd over √ESS. */
    private static double mcse(double[][] chains, double ess) {
        double mu = mean(chains), s = 0;
        long n = 0;
        for (double[] c : chains)
            for (double x : c) {
                s += (x - mu) * (x - mu);
                n++;
            }
        return Math.sqrt(s / (n - 1) / ess);
    }

    private static int diverged(Backend b) {
        int n = 0;
        for (long d : b.divergedAt()) if (d >= 0) n++;
        return n;
    }
}
