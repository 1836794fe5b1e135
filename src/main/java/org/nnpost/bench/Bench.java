package org.nnpost.bench;

import java.util.Arrays;
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
import org.nnpost.sampler.Ula;

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
        /** small, reference, paper, deep (SPEC §8 sizes, two classes, ReLU, mean-field). */
        public static Preset named(String name) {
            return switch (name) {
                case "small" -> of(name, 1, 100, 100, 110, 16);
                case "reference" -> of(name, 1, 200, 200, 220, 16);
                case "paper" -> of(name, 1, 500, 500, 520, 16);
                case "deep" -> of(name, 3, 200, 200, 220, 16);
                default -> throw new IllegalArgumentException(
                        "preset " + name + ": allowed values are small, reference, paper, deep");
            };
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
                         double gflops, int diverged) {

        /** One readable line. */
        public String format() {
            return String.format(Locale.ROOT,
                    "%-9s %-4s threads=%d C=%d: %.1f chain-steps/s (median of %d, range %.1f..%.1f, %.0f%% spread), %.2f GFLOP/s%s  [%s]",
                    preset, backend, threads, chains, median, perRepeat.length, min, max,
                    median > 0 ? 100 * (max - min) / median : 0, gflops,
                    diverged > 0 ? ", " + diverged + " chains DIVERGED" : "", device);
        }

        public String toJson() {
            StringBuilder r = new StringBuilder("[");
            for (int i = 0; i < perRepeat.length; i++) r.append(i > 0 ? ", " : "").append(num(perRepeat[i]));
            r.append(']');
            return String.format(Locale.ROOT,
                    "{\"preset\": \"%s\", \"backend\": \"%s\", \"device\": \"%s\", \"threads\": %d, \"chains\": %d, "
                            + "\"warmup_steps\": %d, \"steps\": %d, \"chain_steps_per_s\": %s, \"chain_steps_per_s_min\": %s, "
                            + "\"chain_steps_per_s_max\": %s, \"repeats\": %s, \"gflops\": %s, \"diverged\": %d}",
                    esc(preset), esc(backend), esc(device), threads, chains, warmupSteps, steps, num(median), num(min),
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
        if (steps < 1 || repeats < 1 || warmupSteps < 0)
            throw new IllegalArgumentException("need steps ≥ 1, repeats ≥ 1, warm-up ≥ 0");
        ModelSpec spec = preset.spec();
        try (Backend b = started(preset, backend)) {
            Runnable step = ulaStep(b, eta);
            b.repeat(warmupSteps, step);
            b.traces();   // a host read: waits for queued device work
            double[] rate = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                b.repeat(steps, step);
                b.traces();
                double s = (System.nanoTime() - t0) * 1e-9;
                rate[r] = preset.chains() * (double) steps / s;
            }
            int diverged = diverged(b);
            double[] sorted = rate.clone();
            Arrays.sort(sorted);
            double median = repeats % 2 == 1 ? sorted[repeats / 2] : 0.5 * (sorted[repeats / 2 - 1] + sorted[repeats / 2]);
            double gflops = median * flopsPerChainStep(spec, preset.P()) * 1e-9;
            return new Result(preset.name(), backend.kind(), b.description(), backend.threads(), preset.chains(), warmupSteps, steps,
                    rate, median, sorted[0], sorted[repeats - 1], gflops, diverged);
        }
    }

    /**
     * How fast the chains mix, not only how fast they step: bulk ESS of the training-loss trace
     * (Vehtari et al. 2021, over all chains) per second of sampling, at a step size a run would
     * use.
     *
     * @param steps    the steps run: fewer than asked when chains diverged (the run stops there)
     * @param diverged chains that diverged; then ESS and R-hat are NaN, as they would describe nothing
     */
    public record Mixing(String preset, double eta, int steps, int thin, double essBulk, double rhat,
                         double seconds, double essPerSecond, int diverged) {
        public String format() {
            return String.format(Locale.ROOT,
                    "%-9s mixing at eta=%s: loss trace bulk ESS %.1f over %d steps (R-hat %.3f) in %.1f s: %.2f ESS/s",
                    preset, Result.num(eta), essBulk, steps, rhat, seconds, essPerSecond);
        }

        public String toJson() {
            return String.format(Locale.ROOT,
                    "{\"preset\": \"%s\", \"eta\": %s, \"steps\": %d, \"thin\": %d, \"ess_bulk_loss\": %s, "
                            + "\"rhat_loss\": %s, \"seconds\": %s, \"ess_per_s\": %s, \"diverged\": %d}",
                    preset, Result.num(eta), steps, thin, Result.num(essBulk), Result.num(rhat), Result.num(seconds),
                    Result.num(essPerSecond), diverged);
        }
    }

    /** The preset's backend with its chains drawn from the prior. */
    private static Backend started(Preset preset, BackendSpec backend) {
        Backend b = BackendFactory.create(backend, preset.spec(), preset.task(), preset.chains()).backend();
        b.load(ChainState.fromPrior(preset.spec(), preset.chains(), SEED));
        return b;
    }

    /** One ULA step of every chain at step size eta in every group, the gradient made ready first. */
    private static Runnable ulaStep(Backend b, float eta) {
        float[] etas = new float[b.spec().groups()];
        Arrays.fill(etas, eta);
        Ula ula = new Ula(etas);
        ula.init(b);
        return () -> ula.step(b);
    }

    /**
     * Runs the preset's chains for steps at step size eta, recording the loss every thin steps;
     * stops early when a chain diverges, since the rest would time non-finite arithmetic.
     */
    public static Mixing mixing(Preset preset, BackendSpec backend, int steps, int thin, float eta) {
        if (steps < 4 * thin) throw new IllegalArgumentException("need at least four recorded draws per chain");
        int C = preset.chains(), draws = steps / thin;
        double[][] loss = new double[C][draws];
        try (Backend b = started(preset, backend)) {
            Runnable step = ulaStep(b, eta);
            long t0 = System.nanoTime();
            for (int d = 0; d < draws; d++) {
                b.repeat(thin, step);
                double[][] tr = b.traces();
                for (int c = 0; c < C; c++) loss[c][d] = tr[c][Traces.LOSS];
                int diverged = diverged(b);
                if (diverged > 0) {
                    double seconds = (System.nanoTime() - t0) * 1e-9;
                    return new Mixing(preset.name(), eta, (d + 1) * thin, thin, Double.NaN, Double.NaN, seconds, Double.NaN, diverged);
                }
            }
            double seconds = (System.nanoTime() - t0) * 1e-9;
            // the first half is burn-in: ESS of a trace still relaxing from the prior means little
            double[][] kept = new double[C][];
            for (int c = 0; c < C; c++) kept[c] = Arrays.copyOfRange(loss[c], draws / 2, draws);
            Convergence.Diagnostics diag = Convergence.of(kept);
            return new Mixing(preset.name(), eta, steps, thin, diag.essBulk(), diag.rhat(), seconds, diag.essBulk() / seconds, 0);
        }
    }

    private static int diverged(Backend b) {
        int n = 0;
        for (long d : b.divergedAt()) if (d >= 0) n++;
        return n;
    }
}
