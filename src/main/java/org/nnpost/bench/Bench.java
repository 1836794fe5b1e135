package org.nnpost.bench;

import java.util.Locale;

import org.nnpost.backend.Backend;
import org.nnpost.backend.BackendFactory;
import org.nnpost.data.OrthogonalTask;
import org.nnpost.data.Task;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.sampler.ChainState;
import org.nnpost.sampler.Sampler;
import org.nnpost.sampler.Ula;

/**
 * Placeholder for the bench harness, so that {@code nnpost bench} compiles and runs: times ULA
 * steps of a preset after warm-up. The full harness (peers, GFLOP/s, fraction of the limit)
 * replaces this class with the same entry points.
 */
public final class Bench {
    private Bench() {}

    public record Preset(String name, int L, int N, int P, int N0, int chains, Phi phi) {
        public static Preset named(String name) {
            return switch (name) {
                case "small" -> new Preset(name, 1, 64, 64, 64, 4, Phi.RELU);
                case "reference" -> new Preset(name, 1, 200, 200, 220, 16, Phi.RELU);
                case "paper" -> new Preset(name, 1, 500, 500, 520, 16, Phi.RELU);
                case "deep" -> new Preset(name, 3, 200, 200, 220, 16, Phi.RELU);
                default -> throw new IllegalArgumentException("unknown preset " + name + " (small, reference, paper, deep)");
            };
        }
    }

    public record Result(Preset preset, String backend, int threads, double chainStepsPerSecond) {
        public String format() {
            return String.format(Locale.ROOT, "%s (L=%d %s N=%d P=%d N0=%d C=%d) on %s: %.4g chain-steps/s",
                    preset.name(), preset.L(), preset.phi().id(), preset.N(), preset.P(), preset.N0(), preset.chains(),
                    backend, chainStepsPerSecond);
        }

        @Override public String toString() { return format(); }
    }

    public static Result measure(Preset preset, String backend, int threads, int warmupSteps, int steps, int repeats) {
        ModelSpec spec = new ModelSpec(preset.L(), preset.N(), preset.N0(), 2, preset.phi(), Scaling.MEANFIELD,
                10, true, 1, 1);
        Task task = OrthogonalTask.generate(preset.N0(), preset.P(), 1, new double[]{0.5, 0.5}, false, 1, -1, 0.5, 1);
        BackendFactory.Choice choice = BackendFactory.create(backend, spec, task, preset.chains(), threads);
        try (Backend b = choice.backend()) {
            float[] eta = new float[spec.groups()];
            java.util.Arrays.fill(eta, 1e-3f);
            Sampler s = new Ula(eta);
            b.load(ChainState.fromPrior(spec, preset.chains(), 1));
            s.init(b);
            b.repeat(warmupSteps, () -> s.step(b));
            double best = 0;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                b.repeat(steps, () -> s.step(b));
                b.traces();
                double sec = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, steps * (double) preset.chains() / sec);
            }
            return new Result(preset, b.description(), threads, best);
        }
    }
}
