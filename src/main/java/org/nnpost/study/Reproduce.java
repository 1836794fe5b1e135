package org.nnpost.study;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.analysis.RunAnalysis;
import org.nnpost.backend.BackendSpec;
import org.nnpost.diagnostics.ConvergenceChecks;
import org.nnpost.diagnostics.Warning;
import org.nnpost.io.AtomicFile;
import org.nnpost.io.Json;
import org.nnpost.output.RunLayout;
import org.nnpost.output.RunSummary;
import org.nnpost.report.Look;
import org.nnpost.report.Plots;
import org.nnpost.report.Png;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;

/**
 * `nnpost reproduce`: runs a figure's study ({@link ReproduceFigure#study}) with the sweep
 * machinery ({@link Sweep}: one ordinary run directory per network under the output directory,
 * study.json, sweep.csv), then reads the runs back and writes the panels and reproduction.txt /
 * reproduction.json, the measured numbers beside theory and the paper's statements. The same
 * command again skips the runs that are complete and resumes interrupted ones; a figure's study
 * can also be printed (--print-study), run as any study (nnpost sweep, in shards on SLURM) and
 * then drawn by reproduce into the same directory. A run's convergence warnings are listed with it
 * in reproduction.json, counted in reproduction.txt and handed back to be printed; none stops the
 * figure. A run that diverges or fails ends the figure (exit code 3, or the run's code).
 */
public final class Reproduce {
    private Reproduce() {}

    /**
     * @param steps  steps per chain; 0 keeps the recipe's default
     * @param chains independent chains per run
     */
    public record Request(ReproduceFigure figure, double scale, Path outDir, int seed, BackendSpec backend,
                          long steps, int chains, Path dataDir, String progress) {

        /** The figure's study for this request: scale, steps, chains and seed applied. */
        public Study study() {
            return figure.study(scale, steps, chains, Integer.toUnsignedLong(seed));
        }
    }

    /**
     * @param warnings the convergence warnings of every run, in run order
     */
    public record Result(Path dir, String text, List<Path> panels, List<RunWarning> warnings) {}

    /** A convergence warning of one of the figure's runs. */
    public record RunWarning(String run, Warning warning) {}

    /** @param progress makes a fresh progress display per run (a display is finished when its run ends) */
    public static Result execute(Request q, java.util.function.Supplier<? extends Progress> progress) {
        return execute(q, progress, line -> {});
    }

    /**
     * @param progress makes a fresh progress display per run (a display is finished when its run ends)
     * @param say      the sweep's lines: which run starts, ends, is already complete
     */
    public static Result execute(Request q, java.util.function.Supplier<? extends Progress> progress,
                                 java.util.function.Consumer<String> say) {
        Study study = q.study();
        String again = "nnpost reproduce " + q.figure().id + " --out " + q.outDir() + " (with the same --scale, --steps, --chains, --seed)";
        Sweep.Plan plan = Sweep.plan(new Sweep.Request(study, q.outDir(), machine(q), Sweep.Shard.ALL, null, false, again));
        Sweep.Outcome outcome = Sweep.run(plan, p -> progress.get(), say);
        for (Sweep.PointResult r : outcome.points())
            if (!r.status().equals(org.nnpost.output.Manifest.COMPLETE))
                throw new NnpostException(r.exitCode() > 0 && r.exitCode() != NnpostException.BAD_INPUT ? r.exitCode() : Sweep.FAILED,
                        "run " + r.point().name() + " " + r.status() + (r.error() == null ? "" : ": " + r.error()));
        Path dir = plan.directory();
        ObjectNode o = Json.object();
        o.put("figure", q.figure().id);
        o.put("caption", q.figure().caption);
        Json.put(o, "scale", q.scale());
        o.put("seed", Integer.toUnsignedLong(q.seed()));
        o.put("chains", q.chains());
        ArrayNode runs = o.putArray("runs");
        StringBuilder text = new StringBuilder();
        text.append(q.figure().caption).append('\n');
        text.append(String.format(Locale.ROOT, "scale %s of the paper's N, P, N0; beta0 = %s, sigma_w2 = sigma_a2 = 1, mean-field scaling, ULA, %d chains%n%n",
                RunAnalysis.num(q.scale()), RunAnalysis.num(ReproduceFigure.BETA0), q.chains()));
        List<Path> panels = new ArrayList<>();
        List<RunAnalysis.Result> results = new ArrayList<>();
        List<RunWarning> warnings = new ArrayList<>();
        for (Study.Point p : plan.points()) {
            RunConfig cfg = plan.configs().get(p.index());
            String name = p.name();
            RunAnalysis.Result a = RunAnalysis.of(new RunAnalysis.Subject(name, q.figure().label(p), cfg), cfg.outDir());
            List<Warning> runWarnings = warnings(Json.read(cfg.outDir().resolve(RunLayout.SUMMARY)).path("warnings"));
            ObjectNode ro = a.json();
            ro.put("steps", cfg.sampler().steps());
            ro.put("burn_in", cfg.sampler().burnIn());
            ro.put("every", cfg.sampler().every());
            ro.set("warnings", RunSummary.warnings(runWarnings));
            runs.add(ro);
            results.add(a);
            for (Warning w : runWarnings) warnings.add(new RunWarning(name, w));
            text.append(a.text());
            String unreliable = ConvergenceChecks.reliability(runWarnings);
            if (!runWarnings.isEmpty())
                text.append(String.format(Locale.ROOT, "  convergence: %d warnings in %s/summary.json%s%n", runWarnings.size(),
                        name, unreliable == null ? "" : "; unreliable: " + unreliable));
            text.append('\n');
            for (Path panel : a.panels()) panels.add(dir.relativize(panel));
        }
        if (q.figure() == ReproduceFigure.FIG5) panels.add(dir.relativize(sweep(dir, results, text)));
        String notes = notes(q.figure());
        o.put("notes", notes);
        ArrayNode pa = o.putArray("panels");
        for (Path p : panels) pa.add(p.toString());
        text.append(notes);
        Json.write(dir.resolve("reproduction.json"), o);
        AtomicFile.write(dir.resolve("reproduction.txt"), text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Result(dir, text.toString(), panels, warnings);
    }

    /** Where the figure's chains run: the request's machine settings, given as flags would give them. */
    static Settings machine(Request q) {
        Settings v = new Settings();
        BackendSpec b = q.backend();
        v.put("backend", b.kind(), "--backend");
        v.put("threads", Integer.toString(b.threads()), "--threads");
        if (b.devices() != null) v.put("devices", Sweep.list(b.devices()), "--devices");
        else if (b.device() != 0) v.put("device", Integer.toString(b.device()), "--device");
        v.put("precision", b.precision(), "--precision");
        v.put("rng", b.rng(), "--rng");
        if (q.dataDir() != null && q.figure() == ReproduceFigure.FIG3) v.put("data-dir", q.dataDir().toString(), "--data-dir");
        return v;
    }

    /** The sample run of one recipe, as the figure's study makes it: burn-in 40% of the steps, a draw every 20 steps at most, 10 saved whole. */
    static RunConfig config(Request q, ReproduceFigure.Recipe r, Path out) {
        Study study = q.study();
        for (Study.Point p : study.points())
            if (p.name().equals(r.name())) return RunSettings.described(study.settings(p, machine(q)), out);
        throw new IllegalArgumentException("no run " + r.name() + " in " + q.figure().id);
    }

    /** Warnings as summary.json lists them, read back. */
    static List<Warning> warnings(JsonNode list) {
        List<Warning> out = new ArrayList<>();
        for (JsonNode w : list) {
            int[] chains = null;
            if (w.path("chains").isArray()) {
                chains = new int[w.path("chains").size()];
                for (int i = 0; i < chains.length; i++) chains[i] = w.path("chains").get(i).asInt();
            }
            out.add(new Warning(w.path("code").asText(), w.path("trace").isTextual() ? w.path("trace").asText() : null, chains,
                    w.path("value").isNumber() ? w.path("value").asDouble() : Double.NaN, w.path("threshold").asDouble(Double.NaN),
                    w.path("message").asText()));
        }
        return out;
    }

    /** Fig. 5's summary panel: the coding metrics against y-. */
    private static Path sweep(Path dir, List<RunAnalysis.Result> results, StringBuilder text) {
        int n = results.size();
        double[] y = new double[n], pr = new double[n], kurt = new double[n], codes = new double[n];
        for (int k = 0; k < n; k++) {
            ObjectNode o = results.get(k).json();
            y[k] = o.path("parameters").path("y_minus").asDouble();
            pr[k] = o.path("coding").path("participation_ratio_per_N").asDouble(Double.NaN);
            kurt[k] = o.path("coding").path("excess_kurtosis").asDouble(Double.NaN);
            // the share of neurons in the three commonest codes: near 1 when a few codes carry the layer
            double top = 0;
            int seen = 0;
            for (var it = o.path("coding").path("codes").elements(); it.hasNext() && seen < 3; seen++) top += it.next().asDouble();
            codes[k] = results.get(k).json().path("coding").isMissingNode() ? Double.NaN : top;
        }
        text.append("sweep over y-:\n     y-   scheme      PR/N   excess kurtosis   share of 3 commonest codes\n");
        for (int k = 0; k < n; k++)
            text.append(String.format(Locale.ROOT, "  %5.2f   %-9s  %6.3f   %15.3f   %26.3f%n", y[k],
                    results.get(k).json().path("coding").path("scheme").asText("n/a"), pr[k], kurt[k], codes[k]));
        text.append('\n');
        // one quantity per axis: the three metrics have unrelated units and ranges
        return Png.write(dir.resolve("sweep.png"), Plots.smallMultiples(y, List.of(
                        new Plots.Series("PR/N", pr), new Plots.Series("excess kurtosis", kurt),
                        new Plots.Series("share of the 3 commonest codes", codes)),
                "coding metrics of erf networks against y-", "y- (other classes' target)", Look.DEFAULT));
    }

    /** What the paper states for the figure and what this codebase's theory covers. */
    static String notes(ReproduceFigure f) {
        String scale = "These are CPU-sized runs unless --scale 1: finite N, P and a finite number of ULA steps "
                + "(step-size bias O(eta)); the paper's statements concern N, P -> infinity.\n";
        return switch (f) {
            case FIG1 -> "Paper: all three networks fit the training data; the linear network codes in an analog way "
                    + "(Gaussian readouts spread over all neurons, kernel a smooth function of the input kernel), erf "
                    + "redundantly (readouts cluster into a few codes shared by many neurons), ReLU sparsely (a few "
                    + "neurons carry the task, the 20 most active are shown). The mean-field theory of this codebase "
                    + "covers the linear run (readout covariance U, train outputs, test predictor); the erf and ReLU "
                    + "runs are compared with the lazy GP only, which the non-lazy predictor need not match.\n" + scale;
            case FIG2 -> "Paper: the readout posterior of the two-layer linear network matches its theory and is Gaussian; "
                    + "kernels per layer carry the class structure. Only the L = 1 non-lazy theory exists in this "
                    + "codebase: here the readout histograms are set beside a Gaussian of the sampled variance (is it "
                    + "Gaussian?) and the predictor beside the lazy GP, which the paper shows the linear non-lazy "
                    + "predictor equals at beta0 -> infinity (shown there for L = 1).\n" + scale;
            case FIG3 -> "Paper: on MNIST 0/1/2 the two-layer linear network's mean predictor matches its theory and the "
                    + "per-class generalization error of sampling, theory and the GP agree. Only the L = 1 non-lazy "
                    + "theory exists in this codebase, so sampling is compared with the lazy GP at T = 1/beta0.\n" + scale;
            case FIG4 -> "Paper: with y- = 1/2 the erf network codes redundantly: readouts cluster into a few discrete "
                    + "codes (such as 1-1-0 for three classes) shared by many neurons. Coding metrics: PR/N, excess "
                    + "kurtosis (negative for clustered readouts), shared codes and active fractions.\n" + scale;
            case FIG5 -> "Paper: as y- varies the erf network's code changes (transitions between coding schemes). The "
                    + "sweep reports the coding metrics per y-; sweep.png plots them.\n" + scale;
        };
    }
}
