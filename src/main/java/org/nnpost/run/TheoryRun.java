package org.nnpost.run;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.data.Task;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.OutputDir;
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
        ModelSpec spec = config.model();
        Task task = config.task().build();
        TheoryNumbers th = TheoryNumbers.of(spec, task);
        Path dir = OutputDir.create(config.outDir());
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
        Json.write(dir.resolve("theory.json"), o);
        return new Result(dir, text.toString());
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
