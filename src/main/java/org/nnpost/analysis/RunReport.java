package org.nnpost.analysis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.io.AtomicFile;
import org.nnpost.output.RunLayout;
import org.nnpost.report.Html;
import org.nnpost.report.Look;

/**
 * {@code nnpost report RUN_DIR}: one self-contained page, report.html, for a finished run: what
 * ran where and how long, the warnings, the settings, every trace's summary and diagnostics, the
 * errors per class, the coding scheme with its evidence and reliability, theory beside sampling,
 * and every panel (drawn as {@code nnpost plot} draws them) inline with its caption. No file
 * beside it and nothing from the network is needed to view it.
 *
 * <p>A run is one list of sections ({@link #sections}); a page of several runs (a sweep) is
 * their sections under one title, each run's headed by its name.
 */
public final class RunReport {
    private RunReport() {}

    public static final String FILE = "report.html";

    public record Result(Path file, int panels, String text) {}

    public static Result execute(Path dir) {
        PlotRun.open(dir);   // the same checks as plot, before anything is drawn
        PlotRun.Result plot = PlotRun.execute(dir, Look.DEFAULT);
        List<String> sections = sections(dir, 2);
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        Path file = dir.resolve(FILE);
        AtomicFile.write(file, Html.page("nnpost run " + name, sections).getBytes(StandardCharsets.UTF_8));
        return new Result(file, plot.panels().size(), "report written: " + file + " (" + plot.panels().size() + " panels inline)");
    }

    /**
     * The sections of one run's report, from its manifest, summary.json and analysis.json and the
     * panels listed there (which must have been drawn as PNG).
     *
     * @param level the heading level of the sections (2 for a page of one run, 3 under a run's own heading)
     */
    public static List<String> sections(Path dir, int level) {
        JsonNode m = RunFiles.readJson(dir.resolve(RunLayout.MANIFEST), "the manifest.json nnpost sample writes");
        JsonNode s = RunFiles.readJson(dir.resolve(RunLayout.SUMMARY), "the summary.json nnpost sample writes");
        JsonNode a = RunFiles.readJson(dir.resolve("analysis.json"), "the analysis.json nnpost plot writes");
        String h = "h" + level;
        List<String> out = new ArrayList<>();
        int C = s.path("chains").asInt();

        StringBuilder run = new StringBuilder(head(h, "Run"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("status", Html.esc(m.path("status").asText())));
        rows.add(List.of("created", Html.esc(m.path("created").asText())));
        rows.add(List.of("nnpost", Html.esc(m.path("versions").path("nnpost").asText() + " (build " + m.path("versions").path("build").asText() + ")")));
        rows.add(List.of("git commit", Html.esc(m.path("git_commit").asText("none"))));
        rows.add(List.of("backend", Html.esc(m.path("backend").path("description").asText())));
        rows.add(List.of("why this backend", Html.esc(m.path("backend").path("reason").asText())));
        rows.add(List.of("chains, steps, draws, kept draws", s.path("chains").asText() + ", " + s.path("steps").asText() + ", "
                + s.path("draws").asText() + ", " + s.path("kept_draws").asText()));
        JsonNode t = m.path("timings");
        rows.add(List.of("time (s)", String.format(Locale.ROOT, "setup %s, sampling %s, output %s, total %s", num(t.path("setup_s")),
                num(t.path("sampling_s")), num(t.path("output_s")), num(t.path("total_s")))));
        rows.add(List.of("steps per second", num(s.path("steps_per_second")) + " (" + num(s.path("chain_steps_per_second")) + " chain-steps/s)"));
        run.append(Html.table(List.of("", ""), rows));
        out.add(run.toString());

        StringBuilder w = new StringBuilder(head(h, "Warnings"));
        if (s.path("warnings").isEmpty()) w.append("<p class=\"ok\">None: every convergence check passed.</p>\n");
        else {
            w.append("<ul class=\"warnings\">\n");
            for (JsonNode x : s.path("warnings")) w.append("<li>").append(Html.esc(x.path("message").asText())).append("</li>\n");
            w.append("</ul>\n");
        }
        out.add(w.toString());

        StringBuilder p = new StringBuilder(head(h, "Settings"));
        List<List<String>> prow = new ArrayList<>();
        for (String block : new String[]{"parameters", "derived"})
            for (Map.Entry<String, JsonNode> e : m.path(block).properties())
                prow.add(List.of(Html.esc(e.getKey()) + (block.equals("derived") ? " <span class=\"note\">(derived)</span>" : ""),
                        Html.esc(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString())));
        p.append(Html.table(List.of("setting", "value"), prow));
        out.add(p.toString());

        StringBuilder d = new StringBuilder(head(h, "Traces: summary and convergence"));
        d.append("<p class=\"note\">As az.summary reports them: mean and sd over all draws of all chains, the Monte Carlo "
                + "standard error of the mean, the 94% highest-density interval, rank-normalised split R-hat (above 1.01 fails), "
                + "bulk and tail ESS (below " + (100 * C) + ", 100 per chain, fails).</p>\n");
        List<List<String>> drow = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : s.path("diagnostics").properties()) {
            JsonNode x = e.getValue();
            double rhat = x.path("rhat").asDouble(Double.NaN), bulk = x.path("ess_bulk").asDouble(Double.NaN), tail = x.path("ess_tail").asDouble(Double.NaN);
            drow.add(List.of(Html.esc(e.getKey()), num(x.path("mean")), num(x.path("sd")), num(x.path("mcse_mean")), num(x.path("hdi_3%")),
                    num(x.path("hdi_97%")), mark(num(x.path("rhat")), !(rhat <= 1.01)), mark(num(x.path("ess_bulk")), !(bulk >= 100.0 * C)),
                    mark(num(x.path("ess_tail")), !(tail >= 100.0 * C))));
        }
        d.append(Html.table(List.of("trace", "mean", "sd", "mcse_mean", "hdi_3%", "hdi_97%", "R-hat", "ESS bulk", "ESS tail"), drow));
        out.add(d.toString());

        StringBuilder e = new StringBuilder(head(h, "Errors per class"));
        e.append("<p class=\"note\">Classification error of the mean predictor and of single kept samples (Gibbs), on the training and "
                + "the test inputs.</p>\n");
        JsonNode err = s.path("error");
        int m2 = err.path("train").path("mean_predictor").path("per_class").size();
        List<List<String>> erow = new ArrayList<>();
        for (int r = 0; r < m2; r++)
            erow.add(List.of("class " + r, num(err.path("train").path("mean_predictor").path("per_class").path(r)),
                    num(err.path("train").path("gibbs").path("per_class").path(r)),
                    num(err.path("test").path("mean_predictor").path("per_class").path(r)),
                    num(err.path("test").path("gibbs").path("per_class").path(r)),
                    err.path("train").path("mean_predictor").path("count_per_class").path(String.valueOf(r)).asText("") + " / "
                            + err.path("test").path("mean_predictor").path("count_per_class").path(String.valueOf(r)).asText("")));
        erow.add(List.of("<b>overall</b>", num(err.path("train").path("mean_predictor").path("overall")),
                num(err.path("train").path("gibbs").path("overall")), num(err.path("test").path("mean_predictor").path("overall")),
                num(err.path("test").path("gibbs").path("overall")), ""));
        e.append(Html.table(List.of("", "train, mean predictor", "train, Gibbs", "test, mean predictor", "test, Gibbs", "inputs (train / test)"), erow));
        out.add(e.toString());

        JsonNode c = s.path("coding");
        if (c.isObject()) {
            StringBuilder k = new StringBuilder(head(h, "Coding scheme"));
            boolean reliable = c.path("reliable").asBoolean(true);
            k.append("<p><b>").append(Html.esc(c.path("scheme").asText())).append("</b>: ").append(Html.esc(c.path("reason").asText())).append("</p>\n");
            k.append(reliable ? "<p class=\"ok\">Reliable: R-hat and ESS pass.</p>\n"
                    : "<p class=\"bad\">Unreliable: " + Html.esc(c.path("reliability").asText()) + "</p>\n");
            List<List<String>> crow = new ArrayList<>();
            crow.add(List.of("participation ratio / N", num(c.path("participation_ratio_per_N"))));
            crow.add(List.of("excess kurtosis of the readouts", num(c.path("excess_kurtosis"))));
            crow.add(List.of("active fraction per class", Html.esc(c.path("active_fraction_per_class").toString())));
            for (Iterator<Map.Entry<String, JsonNode>> it = c.path("codes").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> x = it.next();
                crow.add(List.of("share of neurons with code " + Html.esc(x.getKey()), num(x.getValue())));
            }
            k.append(Html.table(List.of("evidence", "value"), crow));
            out.add(k.toString());
        }

        StringBuilder th = new StringBuilder(head(h, "Theory beside sampling"));
        JsonNode te = a.path("test_error");
        List<List<String>> trow = new ArrayList<>();
        for (String key : new String[]{"sampling", "mean_field_theory", "gp"})
            if (te.has(key))
                trow.add(List.of(key.equals("gp") ? "lazy GP (NNGP, T = 1/beta0)" : key.replace('_', ' '), num(te.path(key).path("overall")),
                        Html.esc(te.path(key).path("per_class").toString())));
        th.append(Html.table(List.of("test error", "overall", "per class"), trow));
        List<List<String>> nrow = new ArrayList<>();
        JsonNode ro = a.path("readout");
        if (ro.has("covariance_theory")) {
            nrow.add(List.of("readout covariance, sampled", Html.esc(ro.path("covariance_sampled").toString())));
            nrow.add(List.of("readout covariance U, mean-field theory", Html.esc(ro.path("covariance_theory").toString())));
            nrow.add(List.of("relative difference", num(ro.path("relative_difference"))));
        } else if (ro.has("theory")) {
            nrow.add(List.of("readout theory", Html.esc(ro.path("theory").asText())));
        }
        nrow.add(List.of("last-layer kernel vs NNGP kernel, rms difference", num(a.path("kernel_vs_nngp").path("rms_difference"))
                + " (NNGP rms " + num(a.path("kernel_vs_nngp").path("rms_nngp")) + ")"));
        JsonNode kt = a.path("kernel_vs_theory");
        if (kt.has("rms_difference"))
            nrow.add(List.of("layer-1 kernel vs N -> infinity theory, rms difference", num(kt.path("rms_difference"))
                    + " (theory rms " + num(kt.path("rms_theory")) + ")"));
        JsonNode ptr = a.path("predictor").path("train");
        if (ptr.has("rms_minus_nonlinear_theory"))
            nrow.add(List.of("train outputs vs N -> infinity theory F, rms difference", num(ptr.path("rms_minus_nonlinear_theory"))));
        JsonNode pt = a.path("predictor").path("test");
        nrow.add(List.of("test predictor vs lazy GP: rms difference, correlation", num(pt.path("rms_minus_gp")) + ", " + num(pt.path("correlation_with_gp"))));
        if (pt.has("rms_minus_mean_field")) nrow.add(List.of("test predictor vs mean-field theory, rms difference", num(pt.path("rms_minus_mean_field"))));
        if (pt.has("rms_minus_nonlinear_theory"))
            nrow.add(List.of("test predictor vs N -> infinity theory, rms difference; class means sampled, theory",
                    num(pt.path("rms_minus_nonlinear_theory")) + "; " + nums(pt.path("class_means_sampled")) + ", "
                            + nums(pt.path("class_means_nonlinear_theory"))));
        th.append(Html.table(List.of("quantity", "value"), nrow));
        out.add(th.toString());

        StringBuilder pan = new StringBuilder(head(h, "Panels"));
        pan.append("<div class=\"panels\">\n");
        for (JsonNode x : a.path("panels")) {
            Path f = dir.resolve(x.path("file").asText());
            pan.append(Html.figure(base64(f), x.path("file").asText(), x.path("caption").asText()));
        }
        pan.append("</div>\n");
        out.add(pan.toString());
        return out;
    }

    private static String head(String h, String title) { return "<" + h + ">" + Html.esc(title) + "</" + h + ">\n"; }

    private static String mark(String cell, boolean bad) { return bad ? "<span class=\"bad\">" + cell + "</span>" : cell; }

    /** A list of numbers, each as {@link #num} writes it. */
    private static String nums(JsonNode a) {
        List<String> v = new ArrayList<>();
        for (JsonNode n : a) v.add(num(n));
        return "[" + String.join(", ", v) + "]";
    }

    private static String num(JsonNode n) {
        return n == null || !n.isNumber() ? "n/a" : RunAnalysis.num(n.asDouble());
    }

    private static String base64(Path f) {
        try {
            return Base64.getEncoder().encodeToString(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
