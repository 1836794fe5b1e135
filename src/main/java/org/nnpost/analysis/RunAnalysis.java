package org.nnpost.analysis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.data.TaskSpec;
import org.nnpost.diagnostics.ClassErrors;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.output.RunLayout;
import org.nnpost.report.Plots;
import org.nnpost.report.Figure;
import org.nnpost.report.Look;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.theory.Linalg;
import org.nnpost.theory.TheoryNumbers;

/**
 * One finished run of a figure, read back from its run directory and set beside theory:
 * its panels (PNG, in the run directory) and its numbers (a JSON object and a few lines of text).
 *
 * <p>Theory here: the NNGP kernels and lazy GP predictor for every network, and for a linear
 * network with one hidden layer in the mean-field scaling the non-lazy theory (readout
 * covariance U, train outputs, test predictor; SPEC §7).
 */
public final class RunAnalysis {
    private RunAnalysis() {}

    /** Activation rasters of ReLU networks show this many of the most active neurons (the paper's choice). */
    static final int RELU_TOP = 20;
    /** Test inputs shown in a test activation raster (Fig. 3 shows 100). */
    static final int TEST_SHOWN = 100;

    /** @param captions per panel file, what it shows (also in json's "panels") */
    public record Result(ObjectNode json, String text, List<Path> panels, Map<Path, String> captions) {
        public Result(ObjectNode json, String text, List<Path> panels) { this(json, text, panels, Map.of()); }
    }

    /** The panels of a run as they are written: each file in the chosen look, with its caption. */
    static final class Panels {
        final Path dir;
        final Look look;
        final List<Path> files = new ArrayList<>();
        final Map<Path, String> captions = new java.util.LinkedHashMap<>();

        Panels(Path dir, Look look) {
            this.dir = dir;
            this.look = look;
        }

        void add(String name, java.awt.image.BufferedImage image, String caption) {
            Path f = Figure.write(dir.resolve(name + look.extension()), image, look);
            files.add(f);
            captions.put(f, caption);
        }

        com.fasterxml.jackson.databind.node.ArrayNode json() {
            com.fasterxml.jackson.databind.node.ArrayNode a = Json.array();
            captions.forEach((f, c) -> a.addObject().put("file", f.getFileName().toString()).put("caption", c));
            return a;
        }
    }

    /** What a run is, for its panels and numbers: a short name, a label for titles, and its settings. */
    public record Subject(String name, String label, RunConfig run) {
        public ModelSpec model() { return run.model(); }

        public TaskSpec task() { return run.task(); }
    }

    public static Result of(Subject recipe, Path dir) {
        return of(recipe, dir, Look.DEFAULT);
    }

    public static Result of(Subject recipe, Path dir, Look look) {
        ModelSpec spec = recipe.model();
        int m = spec.m(), L = spec.L(), N = spec.lastWidth();
        // every array is checked against what the run's settings say it wrote before it is used
        RunFiles files = new RunFiles(dir, RunLayout.of(spec, recipe.task(), recipe.run().sampler()));
        Dataset train = dataset(files, false, m), test = dataset(files, true, m);
        int P = train.P(), Pt = test.P();
        TheoryNumbers th = TheoryNumbers.of(spec, new Task(recipe.name(), train, test));
        Panels panels = new Panels(dir, look);
        long draws = recipe.run().sampler().draws();
        int C = recipe.run().sampler().chains();
        ObjectNode o = Json.object();
        StringBuilder t = new StringBuilder();
        o.put("run", recipe.name());
        o.put("directory", dir.getFileName().toString());
        params(o, recipe);
        t.append(String.format(Locale.ROOT, "%s (%s): L = %d, N = %d, P = %d, N0 = %d, m = %d, y+ = %s, y- = %s%n",
                recipe.name(), recipe.label(), L, spec.N(), P, spec.N0(), m, num(recipe.task().yPlus()), num(recipe.task().yMinus())));

        // kernels per layer, inputs sorted by class
        org.nnpost.theory.NonlinearMeanField nl = th.nonlinear();
        for (int l = 1; l <= L; l++) {
            double[] k = files.array(RunLayout.kernel(l, false)).doubles();
            String title = "kernel, layer " + l + ", training inputs (" + recipe.label() + ")";
            String caption = "Layer " + l + "'s kernel on the " + P + " training inputs, sorted by class (lines between classes), averaged over all "
                    + draws + " draws of all " + C + " chains";
            if (nl != null && l == 1) {
                // the theory's kernel beside the sampled one, on the same colour scale
                panels.add("kernel_l" + l + "_train", Plots.kernels(List.of(k, nl.kernel()),
                                List.of("sampled, N = " + N, "N -> infinity theory"), P, train.labels(), title, look),
                        caption + " (left), beside the nonlinear mean-field theory's posterior-averaged kernel K = <phi(z_mu) phi(z_nu)> "
                                + "(N -> infinity; right), on one colour scale.");
                kernelVsTheory(o, t, k, nl.kernel(), P, m, train.labels());
            } else {
                panels.add("kernel_l" + l + "_train", Plots.kernel(k, P, train.labels(), title, look), caption + ".");
            }
        }
        double[] kt = files.array(RunLayout.kernel(L, true)).doubles();
        panels.add("kernel_l" + L + "_test",
                Plots.kernel(kt, Pt, test.labels(), "kernel, layer " + L + ", test inputs (" + recipe.label() + ")", look),
                "Layer " + L + "'s kernel on the " + Pt + " test inputs, sorted by class, averaged over all draws of all chains.");
        kernelVsNngp(o, t, files.array(RunLayout.kernel(L, false)).doubles(), th.nngpTrain()[L - 1]);

        // activation rasters of the last kept draw of chain 0
        int top = spec.phi() == Phi.RELU ? RELU_TOP : N;
        Npy.Array act = files.array(RunLayout.ACT_TRAIN);
        if (act.shape()[1] > 0) {
            int K = (int) act.shape()[1];
            long d = RunLayout.drawOfKept(K - 1, draws, K), step = RunLayout.stepOfDraw(d, recipe.run().sampler().burnIn(),
                    recipe.run().sampler().every());
            String one = "one draw (kept draw " + (K - 1) + " = draw " + d + ", step " + step + ") of chain 0";
            String who = top < N ? "the " + top + " most active of " + N + " neurons" : "all " + N + " neurons";
            panels.add("activations_train", Plots.raster(lastDraw(act), N, P, train.labels(), top,
                    "activations, training inputs: " + one + " (" + recipe.label() + ")", look),
                    "Last hidden layer's activations on the " + P + " training inputs (sorted by class) in " + one
                            + ": " + who + ", most active at the top. A single posterior sample, not an average.");
            Npy.Array actTest = files.array(RunLayout.ACT_TEST);
            int shown = Math.min(Pt, TEST_SHOWN);
            panels.add("activations_test", Plots.raster(columns(lastDraw(actTest), N, Pt, shown), N, shown,
                    java.util.Arrays.copyOf(test.labels(), shown), top, "activations, " + shown + " test inputs: " + one
                            + " (" + recipe.label() + ")", look),
                    "Last hidden layer's activations on the first " + shown + " of " + Pt + " test inputs in " + one + ": " + who + ".");
        }

        // readout weights against theory
        double[] a = files.array(RunLayout.READOUT).doubles();   // [chain, kept, N, m]
        if (a.length > 0) readout(o, t, panels, dir, recipe, a, th);

        // mean predictor against theory, errors per class
        double[] fTrain = files.array(RunLayout.predictorMean(false)).doubles();
        double[] fTest = files.array(RunLayout.predictorMean(true)).doubles();
        predictor(o, t, panels, dir, recipe, fTrain, fTest, th, train, test);

        // traces and the coding scheme from the run's own summary
        JsonNode summary = files.json(RunLayout.SUMMARY);
        traces(files, panels, dir, recipe);
        coding(o, t, panels, dir, recipe, summary, th);
        ObjectNode d = o.putObject("diagnostics");
        Json.put(d, "max_rhat", summary.path("max_rhat").asDouble(Double.NaN));
        Json.put(d, "min_ess_bulk", summary.path("min_ess_bulk").asDouble(Double.NaN));
        Json.put(d, "mean_loss", summary.path("mean_loss").asDouble(Double.NaN));
        Json.put(d, "sampling_s", summary.path("timings").path("sampling_s").asDouble(Double.NaN));
        t.append(String.format(Locale.ROOT, "  diagnostics: mean loss %s, max R-hat %s, min bulk ESS %s, sampling %s s%n",
                num(d.path("mean_loss").asDouble(Double.NaN)), num(d.path("max_rhat").asDouble(Double.NaN)),
                num(d.path("min_ess_bulk").asDouble(Double.NaN)), num(d.path("sampling_s").asDouble(Double.NaN))));
        o.set("panels", panels.json());
        return new Result(o, t.toString(), panels.files, panels.captions);
    }

    /** The run's settings under "parameters", as its manifest has them: one spelling per setting in every file. */
    private static void params(ObjectNode o, Subject r) {
        o.set("parameters", RunSettings.parameters(r.run()));
    }

    /** The sampled kernel beside the lazy limit's NNGP kernel (they differ in the non-lazy regime: the kernel learns). */
    private static void kernelVsNngp(ObjectNode o, StringBuilder t, double[] k, double[] nngp) {
        ObjectNode n = o.putObject("kernel_vs_nngp");
        double diff = rms(k, nngp), ref = rms(nngp, new double[nngp.length]);
        Json.put(n, "rms_difference", diff);
        Json.put(n, "rms_nngp", ref);
        t.append(String.format(Locale.ROOT, "  last-layer kernel vs NNGP (lazy, unlearned) kernel: rms difference %s (NNGP rms %s)%n",
                num(diff), num(ref)));
    }

    /**
     * The sampled kernel beside the nonlinear mean-field theory's: rms over all entries, and the
     * class blocks' means (each input's own entry K_μμ apart from the rest of its block), where the
     * theory is constant and the finite-N sample scatters about it.
     */
    private static void kernelVsTheory(ObjectNode o, StringBuilder t, double[] k, double[] theory, int P, int m, int[] labels) {
        ObjectNode n = o.putObject("kernel_vs_theory");
        double diff = rms(k, theory), ref = rms(theory, new double[theory.length]);
        Json.put(n, "rms_difference", diff);
        Json.put(n, "rms_theory", ref);
        Json.put(n, "relative_difference", diff / ref);
        double[][] sampled = blockMeans(k, P, m, labels), th = blockMeans(theory, P, m, labels);
        n.set("diagonal_sampled", Json.doubles(sampled[0]));
        n.set("diagonal_theory", Json.doubles(th[0]));
        n.set("off_diagonal_sampled", Json.doubles(sampled[1]));
        n.set("off_diagonal_theory", Json.doubles(th[1]));
        t.append(String.format(Locale.ROOT, "  layer-1 kernel vs N -> infinity theory: rms difference %s (theory rms %s); "
                + "per class K_mu,mu sampled %s, theory %s; between inputs of classes (c, c') sampled %s, theory %s%n",
                num(diff), num(ref), vec(sampled[0]), vec(th[0]), matrix(sampled[1], m), matrix(th[1], m)));
    }

    /** Per class the mean of K_μμ; per pair of classes (m × m) the mean of K_μν over μ ≠ ν. */
    static double[][] blockMeans(double[] k, int P, int m, int[] labels) {
        double[] diag = new double[m], dn = new double[m], off = new double[m * m], on = new double[m * m];
        for (int a = 0; a < P; a++)
            for (int b = 0; b < P; b++) {
                int ca = labels[a], cb = labels[b];
                if (a == b) { diag[ca] += k[a * P + b]; dn[ca]++; }
                else { off[ca * m + cb] += k[a * P + b]; on[ca * m + cb]++; }
            }
        for (int c = 0; c < m; c++) diag[c] = dn[c] > 0 ? diag[c] / dn[c] : Double.NaN;
        for (int c = 0; c < m * m; c++) off[c] = on[c] > 0 ? off[c] / on[c] : Double.NaN;
        return new double[][]{diag, off};
    }

    private static void readout(ObjectNode o, StringBuilder t, Panels panels, Path dir, Subject r,
                                double[] a, TheoryNumbers th) {
        int m = r.model().m(), n = a.length / m;
        double[] cov = new double[m * m];
        double[][] perClass = new double[m][n];
        for (int k = 0; k < n; k++)
            for (int p = 0; p < m; p++) {
                perClass[p][k] = a[k * m + p];
                for (int q = 0; q < m; q++) cov[p * m + q] += a[k * m + p] * a[k * m + q] / n;
            }
        ObjectNode ro = o.putObject("readout");
        ro.set("covariance_sampled", Json.doubles(cov));
        ro.put("samples_per_class", n);
        List<Plots.Series> series = new ArrayList<>();
        List<Plots.Curve> curves = new ArrayList<>();
        org.nnpost.theory.NonlinearMeanField nl = th.nonlinear();
        double[] u = th.meanField() != null ? th.meanField().u() : nl != null ? nl.u() : null;
        double[][] marg = nl != null ? nl.readoutMarginals(org.nnpost.run.TheoryRun.MARGINAL_BINS) : null;
        int bins = org.nnpost.run.TheoryRun.MARGINAL_BINS;
        for (int p = 0; p < m; p++) {
            series.add(new Plots.Series("a, class " + p, perClass[p]));
            curves.add(marg != null ? new Plots.Curve("theory, class " + p + ": N -> infinity marginal of p(a)",
                            java.util.Arrays.copyOfRange(marg[0], p * bins, (p + 1) * bins), java.util.Arrays.copyOfRange(marg[1], p * bins, (p + 1) * bins))
                    : u != null ? Plots.gaussian("theory, class " + p + ": N(0, U_" + p + p + ")", 0, u[p * m + p], 200)
                    : Plots.gaussian("Gaussian, class " + p + "'s variance", 0, cov[p * m + p], 200));
        }
        panels.add("readout", Plots.histogram(series, curves, 40,
                "readout weights, all neurons and kept draws (" + r.label() + ")", "readout weight a_ir", panels.look),
                "Readout weights a_ir of all neurons i, kept draws and chains (" + n + " per class), one histogram per class r, with "
                        + (marg != null ? "the nonlinear mean-field theory's marginal of the single-neuron readout density p(a) "
                        + "(N -> infinity; " + nl.status().name().toLowerCase(Locale.ROOT) + ") dashed in the class's colour."
                        : u != null ? "the mean-field theory's Gaussian N(0, U_rr) dashed in the class's colour."
                        : "a Gaussian of each class's sampled variance dashed in its colour (no theory covers this network)."));
        t.append("  readout covariance <a a^T> per neuron, sampled: ").append(matrix(cov, m)).append('\n');
        if (u != null) {
            ro.set("covariance_theory", Json.doubles(u));
            double rel = rms(cov, u) / rms(u, new double[u.length]);
            Json.put(ro, "relative_difference", rel);
            t.append("  readout covariance U, mean-field theory:        ").append(matrix(u, m)).append('\n');
            t.append(String.format(Locale.ROOT, "  relative difference |sampled - U| / |U| = %s%n", num(rel)));
            // along U's eigenvectors: the direction the targets leave free (such as a_1 + a_2 when
            // y_1 = -y_2) keeps the prior variance in the N -> infinity theory, while at P ~ N the data
            // still pin a finite fraction of the readout directions there
            Linalg.Eigen e = Linalg.eigh(u, m);
            double[] sampledAlong = new double[m];
            for (int k = 0; k < m; k++) {
                double s = 0;
                for (int p = 0; p < m; p++)
                    for (int q = 0; q < m; q++) s += e.vectors()[p * m + k] * cov[p * m + q] * e.vectors()[q * m + k];
                sampledAlong[k] = s;
            }
            ro.set("variance_along_U_eigenvectors_theory", Json.doubles(e.values()));
            ro.set("variance_along_U_eigenvectors_sampled", Json.doubles(sampledAlong));
            t.append(String.format(Locale.ROOT, "  readout variance along U's eigenvectors: theory %s, sampled %s%n",
                    vec(e.values()), vec(sampledAlong)));
        } else {
            ro.put("theory", th.nonlinearWhy() != null ? th.nonlinearWhy()
                    : "none in this codebase for this network (the non-lazy theory covers L = 1 in the mean-field scaling)");
        }
    }

    private static void predictor(ObjectNode o, StringBuilder t, Panels panels, Path dir, Subject r,
                                  double[] fTrain, double[] fTest, TheoryNumbers th, Dataset train, Dataset test) {
        int m = r.model().m();
        boolean mf = th.meanField() != null;
        double[] refTest = mf ? th.meanFieldTest() : th.gp().meanTest();
        String refName = mf ? "mean-field theory" : "lazy GP (NNGP, T = 1/beta0)";
        org.nnpost.theory.NonlinearMeanField nl = th.nonlinear();
        int Pt = test.P();
        if (nl != null) nonlinearPredictor(panels, r, fTrain, fTest, nl.fTrain(), th.nonlinearTest(), train, test);
        else {
            List<Plots.Points> groups = new ArrayList<>();
            for (int p = 0; p < m; p++) {
                double[] x = new double[Pt], y = new double[Pt];
                for (int c = 0; c < Pt; c++) {
                    x[c] = refTest[c * m + p];
                    y[c] = fTest[c * m + p];
                }
                groups.add(new Plots.Points("output " + p, x, y));
            }
            panels.add("predictor", Plots.scatter(groups,
                    "mean predictor on test inputs (" + r.label() + ")", refName, "sampled <f(x*)>", panels.look),
                    "The sampled mean predictor <f_r(x*)> on each of the " + Pt + " test inputs (averaged over all draws and chains) against "
                            + refName + ", one colour per output r; on the dashed diagonal they agree.");
        }

        ObjectNode pr = o.putObject("predictor");
        ObjectNode trainFit = pr.putObject("train");
        Json.put(trainFit, "rms_minus_targets", rms(fTrain, floats(train.y())));
        Json.put(trainFit, "rms_targets", rms(floats(train.y()), new double[fTrain.length]));
        Json.put(trainFit, "rms_gp_minus_targets", rms(th.gp().meanTrain(), floats(train.y())));
        t.append(String.format(Locale.ROOT, "  train outputs: rms(sampled - targets) %s, rms(GP - targets) %s (targets rms %s)%n",
                num(rms(fTrain, floats(train.y()))), num(rms(th.gp().meanTrain(), floats(train.y()))),
                num(rms(floats(train.y()), new double[fTrain.length]))));
        if (mf) {
            Json.put(trainFit, "rms_minus_mean_field", rms(fTrain, th.meanField().fTrain()));
            Json.put(pr.putObject("test"), "rms_minus_mean_field", rms(fTest, th.meanFieldTest()));
            t.append(String.format(Locale.ROOT, "  train outputs: rms(sampled - mean-field F_train) %s%n", num(rms(fTrain, th.meanField().fTrain()))));
            t.append(String.format(Locale.ROOT, "  test predictor: rms(sampled - mean-field) %s, rms(mean-field - GP) %s%n",
                    num(rms(fTest, th.meanFieldTest())), num(rms(th.meanFieldTest(), th.gp().meanTest()))));
        }
        ObjectNode te = pr.has("test") ? (ObjectNode) pr.get("test") : pr.putObject("test");
        Json.put(te, "rms_minus_gp", rms(fTest, th.gp().meanTest()));
        Json.put(te, "rms_gp", rms(th.gp().meanTest(), new double[fTest.length]));
        Json.put(te, "correlation_with_gp", correlation(fTest, th.gp().meanTest()));
        t.append(String.format(Locale.ROOT, "  test predictor: rms(sampled - GP) %s (GP rms %s), correlation %s%n",
                num(rms(fTest, th.gp().meanTest())), num(rms(th.gp().meanTest(), new double[fTest.length])),
                num(correlation(fTest, th.gp().meanTest()))));

        if (nl != null) {
            ObjectNode te2 = (ObjectNode) pr.get("test");
            Json.put(trainFit, "rms_minus_nonlinear_theory", rms(fTrain, nl.fTrain()));
            Json.put(trainFit, "rms_nonlinear_theory", rms(nl.fTrain(), new double[fTrain.length]));
            Json.put(te2, "rms_minus_nonlinear_theory", rms(fTest, th.nonlinearTest()));
            Json.put(te2, "rms_nonlinear_theory", rms(th.nonlinearTest(), new double[fTest.length]));
            double[] cs = classMeans(fTest, m, test.labels()), ct = classMeans(th.nonlinearTest(), m, test.labels());
            te2.set("class_means_sampled", Json.doubles(cs));
            te2.set("class_means_nonlinear_theory", Json.doubles(ct));
            t.append(String.format(Locale.ROOT, "  train outputs: rms(sampled - N -> infinity theory F) %s%n", num(rms(fTrain, nl.fTrain()))));
            t.append(String.format(Locale.ROOT, "  test predictor: rms(sampled - N -> infinity theory) %s; per class mean (rows: class, "
                    + "columns: output) sampled %s, theory %s%n", num(rms(fTest, th.nonlinearTest())), matrix(cs, m), matrix(ct, m)));
        }

        ClassErrors sampled = ClassErrors.of(fTest, m, test.labels());
        ClassErrors gp = ClassErrors.of(th.gp().meanTest(), m, test.labels());
        ClassErrors theory = mf ? ClassErrors.of(th.meanFieldTest(), m, test.labels()) : null;
        ClassErrors trainErr = ClassErrors.of(fTrain, m, train.labels());
        ObjectNode err = o.putObject("test_error");
        errors(err, "sampling", sampled);
        if (theory != null) errors(err, "mean_field_theory", theory);
        errors(err, "gp", gp);
        errors(o.putObject("train_error"), "sampling", trainErr);
        String[] classes = new String[m];
        for (int p = 0; p < m; p++) classes[p] = "class " + p + " (" + sampled.count()[p] + ")";
        List<Plots.Series> bars = new ArrayList<>();
        bars.add(new Plots.Series("sampling", sampled.perClass()));
        if (theory != null) bars.add(new Plots.Series("mean-field theory", theory.perClass()));
        bars.add(new Plots.Series("lazy GP", gp.perClass()));
        panels.add("errors", Plots.bars(classes, bars,
                "test error per class (" + r.label() + ")", "test error of the mean predictor", panels.look),
                "Test error of the mean predictor per class (inputs per class in brackets): sampling beside "
                        + (theory != null ? "the mean-field theory and " : "") + "the lazy GP.");
        t.append(String.format(Locale.ROOT, "  train error (sampling) %s; test error: sampling %s %s%s, GP %s %s%n",
                num(trainErr.overall()), num(sampled.overall()), vec(sampled.perClass()),
                theory != null ? String.format(Locale.ROOT, ", mean-field theory %s %s", num(theory.overall()), vec(theory.perClass())) : "",
                num(gp.overall()), vec(gp.perClass())));
    }

    /**
     * The mean outputs on training then test inputs (each sorted by class), sampled as dots and the
     * nonlinear mean-field theory's train outputs F and test predictor dashed, one colour per output.
     */
    private static void nonlinearPredictor(Panels panels, Subject r, double[] fTrain, double[] fTest,
                                           double[] thTrain, double[] thTest, Dataset train, Dataset test) {
        int m = r.model().m(), P = train.P(), Pt = test.P();
        int[] oTrain = Plots.byClass(train.labels()), oTest = Plots.byClass(test.labels());
        List<Plots.Series> dots = new ArrayList<>(), lines = new ArrayList<>();
        for (int p = 0; p < m; p++) {
            double[] s = new double[P + Pt], th = new double[P + Pt];
            for (int i = 0; i < P; i++) {
                s[i] = fTrain[oTrain[i] * m + p];
                th[i] = thTrain[oTrain[i] * m + p];
            }
            for (int i = 0; i < Pt; i++) {
                s[P + i] = fTest[oTest[i] * m + p];
                th[P + i] = thTest[oTest[i] * m + p];
            }
            dots.add(new Plots.Series("output " + p + ", sampled", s));
            lines.add(new Plots.Series("output " + p + ", N -> infinity theory", th));
        }
        List<Integer> groups = new ArrayList<>();
        for (int i = 1; i < P; i++) if (train.labels()[oTrain[i]] != train.labels()[oTrain[i - 1]]) groups.add(i);
        for (int i = 1; i < Pt; i++) if (test.labels()[oTest[i]] != test.labels()[oTest[i - 1]]) groups.add(P + i);
        panels.add("predictor", Plots.profile(dots, lines, Pt > 0 ? new int[]{0, P} : new int[]{0},
                        new String[]{"training inputs", "test inputs"}, groups.stream().mapToInt(Integer::intValue).toArray(),
                        "mean predictor, training and test inputs (" + r.label() + ")", "input (training, then test; each sorted by class)",
                        "mean output <f_r(x)>", panels.look),
                "The sampled mean output <f_r(x)> (averaged over all draws and chains; dots, one colour per output r) on the " + P
                        + " training inputs and then the " + Pt + " test inputs, each sorted by class (light lines between classes), "
                        + "with the nonlinear mean-field theory (N -> infinity) dashed in the output's colour: its train outputs F, and "
                        + "its test predictor, which depends only on the class of a test input's nearest training input and their overlap "
                        + "(the same for every test input of a class, so the sampled test outputs scatter about it).");
    }

    /** Per class (rows) the mean output (columns) over the inputs of that class; NaN for a class without inputs. */
    static double[] classMeans(double[] f, int m, int[] labels) {
        double[] s = new double[m * m], n = new double[m];
        for (int i = 0; i < labels.length; i++) {
            n[labels[i]]++;
            for (int p = 0; p < m; p++) s[labels[i] * m + p] += f[i * m + p];
        }
        for (int c = 0; c < m; c++) for (int p = 0; p < m; p++) s[c * m + p] = n[c] > 0 ? s[c * m + p] / n[c] : Double.NaN;
        return s;
    }

    private static void errors(ObjectNode parent, String key, ClassErrors e) {
        ObjectNode n = parent.putObject(key);
        Json.put(n, "overall", e.overall());
        n.set("per_class", Json.doubles(e.perClass()));
    }

    private static void traces(RunFiles files, Panels panels, Path dir, Subject r) {
        for (String name : new String[]{"loss", "sqnorm_a"}) {
            Npy.Array tr = files.array(RunLayout.trace(name));
            String label = name.equals("loss") ? "training loss" : "|a|^2";
            traces(panels, name, label, tr.doubles(), (int) tr.shape()[0], (int) tr.shape()[1], r.label(), r.run().sampler().burnIn(),
                    r.run().sampler().every());
        }
    }

    /** Trace, rank and autocorrelation panels of one trace [C, D]: where convergence (and divergence) shows. */
    static void traces(Panels panels, String name, String label, double[] v, int C, int D, String runLabel, long burnIn, int every) {
        if (D == 0) return;
        double[] x = new double[D];
        for (int k = 0; k < D; k++) x[k] = k;
        List<Plots.Series> s = new ArrayList<>();
        for (int c = 0; c < C; c++) s.add(new Plots.Series("chain " + c, java.util.Arrays.copyOfRange(v, c * D, (c + 1) * D)));
        String steps = "draw d is taken after step " + burnIn + " + " + every + "(d + 1)";
        panels.add("trace_" + name, Plots.lines(x, s, label + " per draw, every chain (" + runLabel + ")", "draw", label, panels.look),
                "The " + label + " trace of each of the " + C + " chains at every one of the " + D + " draws (" + steps
                        + "); chains that mix overlap, a drift or a jump shows here first.");
        if (D >= 4) {
            panels.add("rank_" + name, Plots.rank(s, Math.max(5, Math.min(20, C * D / (10 * Math.max(1, C)))), "rank plot of " + label
                    + " (" + runLabel + ")", "rank among all draws of all chains", panels.look),
                    "Rank plot of " + label + ": every draw of every chain ranked together, each chain's ranks in a histogram (one row "
                            + "per chain, uniform count dashed). Flat rows: the chains sample the same distribution.");
            panels.add("autocorr_" + name, Plots.autocorrelation(s, 100, "autocorrelation of " + label + " (" + runLabel + ")", "lag (draws)",
                    panels.look), "Autocorrelation of " + label + " by lag in draws, per chain: how many draws apart two draws are "
                    + "before they are nearly independent.");
        }
    }

    private static void coding(ObjectNode o, StringBuilder t, Panels panels, Path dir, Subject r, JsonNode summary, TheoryNumbers th) {
        JsonNode c = summary.path("coding");
        if (c.isMissingNode() || c.isNull()) return;
        o.set("coding", c.deepCopy());
        JsonNode codes = c.path("codes");
        List<String> names = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : codes.properties()) {
            if (names.size() == 8) break;
            names.add(e.getKey());
            share.add(e.getValue().asDouble());
        }
        org.nnpost.theory.NonlinearMeanField nl = th.nonlinear();
        List<Plots.Series> bars = new ArrayList<>(List.of(new Plots.Series("fraction of neurons", share.stream().mapToDouble(Double::doubleValue).toArray())));
        if (nl != null) {
            // the theory's commonest codes join the sampled ones, so a code theory predicts and sampling misses shows
            for (String k : nl.codes().keySet()) if (names.size() < 8 && !names.contains(k)) names.add(k);
            double[] sampled = new double[names.size()], theory = new double[names.size()];
            for (int i = 0; i < names.size(); i++) {
                sampled[i] = codes.path(names.get(i)).asDouble(0);
                theory[i] = nl.codes().getOrDefault(names.get(i), 0.0);
            }
            bars = List.of(new Plots.Series("fraction of neurons", sampled), new Plots.Series("N -> infinity theory", theory));
            ObjectNode ct = ((ObjectNode) o.get("coding")).putObject("codes_theory");
            nl.codes().forEach((k, v) -> Json.put(ct, k, v));
            Json.put((ObjectNode) o.get("coding"), "participation_ratio_per_N_theory", nl.participationRatio());
            Json.put((ObjectNode) o.get("coding"), "excess_kurtosis_theory", nl.excessKurtosis());
            t.append(String.format(Locale.ROOT, "  coding, N -> infinity theory: PR/N %s, excess kurtosis %s, codes %s%n",
                    num(nl.participationRatio()), num(nl.excessKurtosis()), nl.codes()));
        }
        if (!names.isEmpty())
            panels.add("codes", Plots.bars(names.toArray(String[]::new), bars,
                    "class codes of the neurons (" + r.label() + "): -, 0, + per class", "fraction of neurons", panels.look),
                    "Share of neurons per class code over the kept draws: a neuron's mean activation on each class, quantised to -, 0 "
                            + "or + (an entry counts when it reaches half the neuron's largest); the commonest " + names.size() + " codes"
                            + (nl != null ? ", beside the nonlinear mean-field theory's share of each code under p(a) (N -> infinity)." : "."));
        t.append(String.format(Locale.ROOT, "  coding: %s; PR/N %s, excess kurtosis %s, codes %s, active fraction per class %s%n",
                c.path("scheme").asText(), num(c.path("participation_ratio_per_N").asDouble(Double.NaN)),
                num(c.path("excess_kurtosis").asDouble(Double.NaN)), codes.toString(), c.path("active_fraction_per_class").toString()));
    }

    // ------------------------------------------------------------------ helpers

    private static Dataset dataset(RunFiles files, boolean test, int m) {
        Npy.Array x = files.array(RunLayout.inputs(test));
        int[] lab = files.labels(test, m);
        float[] y = files.array(RunLayout.targets(test)).floats();
        return new Dataset((int) x.shape()[0], (int) x.shape()[1], m, x.floats(), lab, y);
    }

    /** Chain 0's last kept draw of a [chain, draw, N, P] array. */
    private static float[] lastDraw(Npy.Array a) {
        long[] s = a.shape();
        int K = (int) s[1], size = (int) (s[2] * s[3]);
        float[] all = a.floats();
        return java.util.Arrays.copyOfRange(all, (K - 1) * size, K * size);
    }

    /** The first n columns of an N × P matrix. */
    private static float[] columns(float[] h, int N, int P, int n) {
        float[] out = new float[N * n];
        for (int i = 0; i < N; i++) System.arraycopy(h, i * P, out, i * n, n);
        return out;
    }

    static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s / Math.max(1, a.length));
    }

    static double correlation(double[] a, double[] b) {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.length;
        mb /= b.length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    private static double[] floats(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    public static String num(double x) {
        if (!Double.isFinite(x)) return "n/a";
        return String.format(Locale.ROOT, Math.abs(x) >= 1e4 || (x != 0 && Math.abs(x) < 1e-3) ? "%.3g" : "%.4g", x);
    }

    private static String vec(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) s.append(i > 0 ? ", " : "").append(num(v[i]));
        return s.append(']').toString();
    }

    static String matrix(double[] a, int m) {
        StringBuilder s = new StringBuilder("[");
        for (int r = 0; r < m; r++) {
            double[] row = java.util.Arrays.copyOfRange(a, r * m, (r + 1) * m);
            s.append(r > 0 ? ", " : "").append(vec(row));
        }
        return s.append(']').toString();
    }

}
