package org.nnpost.run;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.OutputDir;
import org.nnpost.theory.NonlinearMeanField;
import org.nnpost.theory.TheoryNumbers;

/**
 * `nnpost theory`: the theory's numbers for the task a `sample` run with the same flags would
 * learn, written as .npy arrays and theory.json, without sampling.
 */
public final class TheoryRun {
    private TheoryRun() {}

    /** What the CLI prints: the directory and a few lines of numbers. */
    public record Result(Path dir, String text) {}

    public static Result execute(RunConfig config) {
        OutputDir.checkUsable(config.outDir());
        Task task = config.task().build();
        TheoryNumbers th = TheoryNumbers.of(config.model(), task);
        return write(OutputDir.create(config.outDir()), config, task, th);
    }

    /**
     * Writes the theory's arrays and theory.json for a run's settings and its task into dir (a
     * run directory of its own data, or a fresh one), and returns what the CLI prints.
     */
    public static Result write(Path dir, RunConfig config, Task task, TheoryNumbers th) {
        ModelSpec spec = config.model();
        int P = task.train().P(), Pt = task.test().P(), m = spec.m();

        for (int l = 1; l <= spec.L(); l++) {
            Npy.write(dir.resolve("nngp_kernel_l" + l + "_train.npy"), th.nngpTrain()[l - 1], P, P);
            Npy.write(dir.resolve("nngp_kernel_l" + l + "_test.npy"), th.nngpTest()[l - 1], Pt, Pt);
        }
        Npy.write(dir.resolve("gp_mean_train.npy"), th.gp().meanTrain(), P, m);
        Npy.write(dir.resolve("gp_mean_test.npy"), th.gp().meanTest(), Pt, m);
        Npy.write(dir.resolve("gp_var_test.npy"), th.gp().varTest(), Pt);

        ObjectNode o = Json.object();
        o.put("task", config.task().kind());
        o.put("L", spec.L());
        o.put("N0", spec.N0());
        o.put("m", m);
        o.put("phi", spec.phi().id());
        o.put("P", P);
        o.put("Ptest", Pt);
        Json.put(o, "beta0", spec.beta0());
        Json.put(o, "sigma_w2", spec.sigmaW2());
        // sigma_a2 as given, as in manifest.json; the value the theory used is its absolute one
        Json.put(o, "sigma_a2", config.sigmaA2PerP() ? RunSettings.givenPerP(spec.sigmaA2(), P) : spec.sigmaA2());
        o.put("sigma_a2_per_P", config.sigmaA2PerP());
        Json.put(o, "sigma_a2_absolute", spec.sigmaA2());
        StringBuilder text = new StringBuilder();
        ObjectNode gp = o.putObject("lazy_gp");
        Json.put(gp, "temperature", th.temperature());
        errors(gp, "train", th.gp().meanTrain(), m, task.train().labels(), text, "lazy GP (T = 1/beta0)");
        errors(gp, "test", th.gp().meanTest(), m, task.test().labels(), text, "lazy GP (T = 1/beta0)");

        ObjectNode mf = o.putObject("mean_field");
        if (th.meanField() != null) {
            Npy.write(dir.resolve("mf_readout_covariance.npy"), th.meanField().u(), m, m);
            Npy.write(dir.resolve("mf_order_parameter.npy"), th.meanField().t(), P, m);
            Npy.write(dir.resolve("mf_mean_train.npy"), th.meanField().fTrain(), P, m);
            Npy.write(dir.resolve("mf_mean_test.npy"), th.meanFieldTest(), Pt, m);
            mf.set("readout_covariance", Json.doubles(th.meanField().u()));
            mf.put("iterations", th.meanField().iterations());
            errors(mf, "train", th.meanField().fTrain(), m, task.train().labels(), text, "mean-field theory");
            errors(mf, "test", th.meanFieldTest(), m, task.test().labels(), text, "mean-field theory");
            text.append(String.format(java.util.Locale.ROOT, "  mean-field readout covariance U = %s%n",
                    matrix(th.meanField().u(), m)));
        } else {
            mf.put("applies", false);
            mf.put("why", "the non-lazy theory here covers linear networks with one hidden layer in the mean-field scaling");
            text.append("  mean-field theory: not available for this network (linear, L = 1, meanfield only)\n");
        }
        if (th.nonlinear() != null) nonlinear(dir, o.putObject("nonlinear_mean_field"), th, task, m, text);
        else if (th.nonlinearWhy() != null) {
            ObjectNode nl = o.putObject("nonlinear_mean_field");
            nl.put("applies", false);
            nl.put("why", th.nonlinearWhy());
            text.append("  nonlinear mean-field theory: not available: ").append(th.nonlinearWhy()).append('\n');
        }
        Json.write(dir.resolve("theory.json"), o);
        return new Result(dir, text.toString());
    }

    /** Bins of the readout marginals written beside the theory. */
    public static final int MARGINAL_BINS = 120;
    /** Readout draws written beside the theory. */
    public static final int READOUT_DRAWS = 4096;

    /** The nonlinear mean-field theory's arrays (mfnl_*.npy) and its part of theory.json. */
    private static void nonlinear(Path dir, ObjectNode o, TheoryNumbers th, Task task, int m, StringBuilder text) {
        NonlinearMeanField nl = th.nonlinear();
        int P = task.train().P(), Pt = task.test().P();
        Npy.write(dir.resolve("mfnl_readout_covariance.npy"), nl.u(), m, m);
        Npy.write(dir.resolve("mfnl_order_parameter.npy"), nl.t(), P, m);
        Npy.write(dir.resolve("mfnl_mean_train.npy"), nl.fTrain(), P, m);
        Npy.write(dir.resolve("mfnl_kernel_train.npy"), nl.kernel(), P, P);
        Npy.write(dir.resolve("mfnl_mean_test.npy"), th.nonlinearTest(), Pt, m);
        double[][] marg = nl.readoutMarginals(MARGINAL_BINS);
        Npy.write(dir.resolve("mfnl_readout_marginal_x.npy"), marg[0], m, MARGINAL_BINS);
        Npy.write(dir.resolve("mfnl_readout_marginal_density.npy"), marg[1], m, MARGINAL_BINS);
        Npy.write(dir.resolve("mfnl_readout_draws.npy"), nl.readoutDraws(READOUT_DRAWS), READOUT_DRAWS, m);
        o.put("applies", true);
        o.put("status", nl.status().name().toLowerCase(java.util.Locale.ROOT));
        o.put("note", nl.note());
        o.set("readout_covariance", Json.doubles(nl.u()));
        o.set("class_order_parameter", Json.doubles(nl.tau()));
        o.set("class_sizes", Json.doubles(nl.classSizes()));
        Json.put(o, "participation_ratio_per_N", nl.participationRatio());
        Json.put(o, "excess_kurtosis", nl.excessKurtosis());
        Json.put(o, "regular_participation_ratio_per_N", nl.coreParticipationRatio());
        Json.put(o, "regular_excess_kurtosis", nl.coreExcessKurtosis());
        Json.put(o, "test_overlap", nl.rho());
        ObjectNode codes = o.putObject("codes");
        nl.codes().forEach((k, v) -> Json.put(codes, k, v));
        Json.put(o, "code_error", nl.codeError());
        o.set("active_fraction", Json.doubles(nl.activeFraction()));
        com.fasterxml.jackson.databind.node.ArrayNode cs = o.putArray("condensates");
        for (NonlinearMeanField.Condensate c : nl.condensates()) {
            ObjectNode n = cs.addObject();
            n.put("classes", c.classes());
            n.set("direction", Json.doubles(c.direction()));
            Json.put(n, "share_of_prior_variance", c.weight());
            Json.put(n, "suppression_nats", c.suppressionNats());
        }
        o.put("iterations", nl.iterations());
        Json.put(o, "residual", nl.residual());
        errors(o, "train", nl.fTrain(), m, task.train().labels(), text, "nonlinear mean-field theory");
        errors(o, "test", th.nonlinearTest(), m, task.test().labels(), text, "nonlinear mean-field theory");
        text.append(String.format(java.util.Locale.ROOT, "  nonlinear mean-field theory: %s%n  readout covariance U = %s, PR/N %.4g, excess kurtosis %.4g%n",
                nl.note(), matrix(nl.u(), m), nl.participationRatio(), nl.excessKurtosis()));
        StringBuilder cl = new StringBuilder();
        nl.codes().forEach((k, v) -> cl.append(cl.length() > 0 ? ", " : "").append(k).append(' ').append(String.format(java.util.Locale.ROOT, "%.3f", v)));
        text.append("  codes (share of neurons): ").append(cl).append('\n');
    }

    private static void errors(ObjectNode o, String which, double[] f, int m, int[] labels, StringBuilder text, String name) {
        if (labels.length == 0) return;
        ClassErrors e = ClassErrors.of(f, m, labels);
        ObjectNode n = o.putObject(which + "_error");
        Json.put(n, "overall", e.overall());
        n.set("per_class", Json.doubles(e.perClass()));
        text.append(String.format(java.util.Locale.ROOT, "  %s: %s error %.4f%n", name, which, e.overall()));
    }

    private static String matrix(double[] a, int m) {
        StringBuilder s = new StringBuilder("[");
        for (int r = 0; r < m; r++) {
            s.append(r > 0 ? ", [" : "[");
            for (int q = 0; q < m; q++) s.append(q > 0 ? ", " : "").append(String.format(java.util.Locale.ROOT, "%.4g", a[r * m + q]));
            s.append(']');
        }
        return s.append(']').toString();
    }
}
