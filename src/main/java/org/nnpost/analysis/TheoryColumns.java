package org.nnpost.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.run.RunConfig;
import org.nnpost.theory.TheoryNumbers;

/**
 * What a theory predicts for a finished run, as columns of a sweep's table beside the sampled
 * ones: column {@code theory_<source>_<observable>} predicts the sampled column
 * {@code <observable>} ({@code theory_gp_test_error} beside {@code test_error}), so a table, a
 * plot or a reader pairs them by name alone. Each theory is computed from the run's own data
 * (the inputs and targets in its directory), so a point is never compared with the theory of
 * another data seed.
 *
 * <p>The theories here ({@link #all}): the lazy limit's GP predictor ({@code gp}: its train and
 * test errors at T = 1/β₀), its NNGP kernel ({@code nngp}: the summaries of the last layer's
 * kernel), and the non-lazy mean-field theory of one-hidden-layer networks ({@code mf}: errors,
 * the readout covariance U, and the participation ratio and excess kurtosis of readouts drawn
 * from the single-neuron readout density: N(0, U) for linear networks on any task, p(a) of the
 * nonlinear theory for erf, ReLU and tanh on the orthogonal task). <b>A new theory</b> (the nonlinear mean-field theory, say) is one more
 * implementation, added to {@link #all}: its source name, the observables it predicts, and
 * {@link #predict}, which leaves out (or sets NaN for) what does not apply to a network.
 */
public interface TheoryColumns {

    /** Every theory of this codebase, in the order of their columns. */
    static List<TheoryColumns> all() {
        return List.of(new Gp(), new NngpKernel(), new LinearMeanField());
    }

    /** Short lower-case name, the middle of the column names (no underscore). */
    String source();

    /** The sampled observables (column names of the table) it predicts, for networks of m classes. */
    List<String> observables(int m);

    /** Its predictions for one finished run, by observable; what it does not cover is left out or NaN. */
    Map<String, Double> predict(Point p);

    /** The column of an observable's prediction. */
    default String column(String observable) { return "theory_" + source() + "_" + observable; }

    /**
     * One finished run as the theories see it: its settings, its own data, and the theory's
     * numbers for them, computed once and shared by the points of a sweep that have the same
     * data and network (points that differ only in the sampler seed or the width N).
     */
    record Point(RunConfig run, Task task, java.util.function.Supplier<TheoryNumbers> numbers) {}

    // ---------------------------------------------------------------- the theories

    /** The lazy limit's GP predictor at T = 1/β₀: train and test error of its mean. */
    final class Gp implements TheoryColumns {
        @Override public String source() { return "gp"; }

        @Override public List<String> observables(int m) { return List.of("train_error", "test_error"); }

        @Override public Map<String, Double> predict(Point p) {
            TheoryNumbers th = p.numbers().get();
            int m = p.run().model().m();
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("train_error", ClassErrors.of(th.gp().meanTrain(), m, p.task().train().labels()).overall());
            out.put("test_error", ClassErrors.of(th.gp().meanTest(), m, p.task().test().labels()).overall());
            return out;
        }
    }

    /** The NNGP kernel of the last hidden layer (the lazy, unlearned kernel), summarised as the sampled one is. */
    final class NngpKernel implements TheoryColumns {
        @Override public String source() { return "nngp"; }

        @Override public List<String> observables(int m) { return RunRow.KERNEL; }

        @Override public Map<String, Double> predict(Point p) {
            int L = p.run().model().L();
            if (L < 1) return Map.of();
            return RunRow.kernelSummary(p.numbers().get().nngpTrain()[L - 1], p.task().train().labels());
        }
    }

    /**
     * The non-lazy theory of linear one-hidden-layer networks (SPEC §7): train and test error of
     * its predictor, its readout covariance U, and what readouts drawn from N(0, U), independent
     * across neurons, give for the coding metrics as N → ∞: PR/N = (tr U)² / ((tr U)² + 2 tr U²),
     * and the excess kurtosis of the entries pooled over classes, 3 mean(U_pp²) / mean(U_pp)² − 3
     * (0 when every class has the same variance).
     */
    final class LinearMeanField implements TheoryColumns {
        @Override public String source() { return "mf"; }

        @Override public List<String> observables(int m) {
            List<String> o = new ArrayList<>(List.of("train_error", "test_error", "participation_ratio_per_N", "excess_kurtosis"));
            o.addAll(RunRow.readoutColumns(m));
            return o;
        }

        @Override public Map<String, Double> predict(Point p) {
            if (TheoryNumbers.hasNonlinearMeanField(p.run().model())) return nonlinear(p);
            if (!TheoryNumbers.hasMeanField(p.run().model())) return Map.of();
            TheoryNumbers th = p.numbers().get();
            int m = p.run().model().m();
            double[] u = th.meanField().u();
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("train_error", ClassErrors.of(th.meanField().fTrain(), m, p.task().train().labels()).overall());
            out.put("test_error", ClassErrors.of(th.meanFieldTest(), m, p.task().test().labels()).overall());
            double tr = 0, tr2 = 0, d2 = 0;
            for (int a = 0; a < m; a++) {
                tr += u[a * m + a];
                d2 += u[a * m + a] * u[a * m + a];
                for (int b = 0; b < m; b++) tr2 += u[a * m + b] * u[b * m + a];
            }
            out.put("participation_ratio_per_N", tr * tr / (tr * tr + 2 * tr2));
            out.put("excess_kurtosis", 3 * (d2 / m) / ((tr / m) * (tr / m)) - 3);
            List<String> names = RunRow.readoutColumns(m);
            int k = 0;
            for (int a = 0; a < m; a++)
                for (int b = a; b < m; b++) out.put(names.get(k++), u[a * m + b]);
            return out;
        }

        /**
         * erf, ReLU, tanh (orthogonal task, m ≤ 3): the nonlinear theory's train error, U, and its
         * PR/N and excess kurtosis of readouts drawn from p(a) (0 and +∞ where a condensate
         * carries part of the readout: the sparse code); nothing where it does not apply.
         */
        private static Map<String, Double> nonlinear(Point p) {
            TheoryNumbers th = p.numbers().get();
            org.nnpost.theory.NonlinearMeanField nl = th.nonlinear();
            if (nl == null) return Map.of();
            int m = p.run().model().m();
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("train_error", ClassErrors.of(nl.fTrain(), m, p.task().train().labels()).overall());
            // no test error: the nonlinear test predictor takes a test input's remainder to be
            // orthogonal to the training inputs, which these test inputs are only when P << N0
            // (SPEC §7), so beside a sampled test error it would compare unlike things
            out.put("participation_ratio_per_N", nl.participationRatio());
            out.put("excess_kurtosis", nl.excessKurtosis());
            List<String> names = RunRow.readoutColumns(m);
            int k = 0;
            for (int a = 0; a < m; a++)
                for (int b = a; b < m; b++) out.put(names.get(k++), nl.u()[a * m + b]);
            return out;
        }
    }
}
