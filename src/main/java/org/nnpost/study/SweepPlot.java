package org.nnpost.study;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.nnpost.analysis.RunRow;
import org.nnpost.report.Png;
import org.nnpost.report.Trends;
import org.nnpost.spec.SpecException;

/**
 * {@code nnpost sweep plot DIR}: a column of a sweep's table against a varied setting, one line
 * per value of the settings named by {@code --by}, each point the mean over seeds with its
 * standard error as an error bar, theory dashed in the colour of its line where the table has it
 * ({@code theory_<source>_<column>}). Against N it also draws the means against 1/N with a
 * weighted least-squares line a + b/N (weights 1/SE²; ordinary least squares with the residuals'
 * error when a point has no standard error, one seed), whose intercept a ± its standard error is
 * the extrapolation to N → ∞.
 *
 * <p>Without --y: the default set, PR/N, excess kurtosis, test error and max R-hat against the
 * first numeric setting that varies, by all the others.
 */
public final class SweepPlot {
    private SweepPlot() {}

    public static final List<String> DEFAULT_Y = List.of("participation_ratio_per_N", "excess_kurtosis", "test_error", "max_rhat");

    /**
     * @param x       the setting on the x axis (file key), or null for the first numeric one that varies
     * @param ys      the columns to plot, or null for {@link #DEFAULT_Y}
     * @param by      settings whose values make separate lines, or null for every other varied setting
     * @param where   settings held at one value (file key to text): the rows with other values are left out
     * @param log     "", "x", "y" or "xy"
     * @param maxRhat points whose max R-hat exceeds it are left out; NaN keeps all
     */
    public record Request(Path dir, String x, List<String> ys, List<String> by, Map<String, String> where, String log, double maxRhat) {}

    /** One extrapolation to N → ∞. */
    public record Extrapolation(String column, String line, double value, double error, String method, int points) {}

    public record Result(List<Path> images, List<Extrapolation> extrapolations, List<String> lines) {}

    public static Result execute(Request q) {
        SweepDir.existing(q.dir());
        SweepTable.Table t = Files.isRegularFile(q.dir().resolve(SweepTable.JSON)) ? SweepTable.read(q.dir())
                : SweepTable.collect(q.dir(), Double.NaN).table();
        List<String> varied = new ArrayList<>(t.settings());
        varied.remove("seed");
        for (String k : q.where().keySet())
            if (!t.settings().contains(k)) throw SpecException.of("where", k + "=" + q.where().get(k), "not a setting the study varies",
                    String.join(", ", t.settings()));
        String x = q.x();
        if (x == null) {
            for (String k : varied) if (!q.where().containsKey(k) && numeric(t, k)) { x = k; break; }
            if (x == null) throw SpecException.input(q.dir().toString(), "no numeric setting varies in its study", "a sweep over N, P, beta0, ...; or --x");
        } else {
            if (!varied.contains(x)) throw SpecException.of("x", x, "not a setting the study varies", varied.isEmpty() ? "none varies" : String.join(", ", varied));
            if (!numeric(t, x)) throw SpecException.of("x", x, "has values that are not numbers", "a numeric setting");
        }
        List<String> by = new ArrayList<>();
        if (q.by() == null) {
            for (String k : varied) if (!k.equals(x) && !q.where().containsKey(k)) by.add(k);
        } else {
            for (String k : q.by()) {
                if (!varied.contains(k) || k.equals(x))
                    throw SpecException.of("by", k, k.equals(x) ? "is the x axis" : "not a setting the study varies", String.join(", ", varied));
                by.add(k);
            }
            for (String k : varied)
                if (!k.equals(x) && !by.contains(k) && !q.where().containsKey(k) && distinct(t, k) > 1)
                    throw SpecException.of("by", String.join(",", by), k + " varies too",
                            "add " + k + " to --by, or hold it with --where " + k + "=" + t.rows().get(0).settings().get(k));
        }
        boolean logX = q.log().contains("x"), logY = q.log().contains("y");
        List<String> ys = q.ys() != null ? q.ys() : DEFAULT_Y.stream().filter(t.columns()::contains).toList();
        for (String y : ys)
            if (!t.columns().contains(y) || RunRow.TEXT.contains(y))
                throw SpecException.of("y", y, t.columns().contains(y) ? "not a numeric column" : "not a column of the table",
                        "a numeric column of " + SweepTable.CSV + ", e.g. participation_ratio_per_N, test_error");
        Path out = q.dir().resolve("plots");
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw SpecException.input(out.toString(), "cannot be created (" + e.getMessage() + ")", "a writable directory");
        }
        List<Path> images = new ArrayList<>();
        List<Extrapolation> ex = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String y : ys) plot(q, t, x, by, y, logX, logY, out, images, ex, lines);
        return new Result(images, ex, lines);
    }

    private static void plot(Request q, SweepTable.Table t, String x, List<String> by, String y, boolean logX, boolean logY,
                             Path out, List<Path> images, List<Extrapolation> ex, List<String> lines) {
        // series by the --by values, in the order of the points; then x values ascending
        Map<String, TreeMap<Double, List<SweepTable.Row>>> series = new LinkedHashMap<>();
        for (SweepTable.Row r : t.rows()) {
            if (!r.complete()) continue;
            if (!Double.isNaN(q.maxRhat()) && !(r.number("max_rhat") <= q.maxRhat())) continue;
            boolean held = true;
            for (Map.Entry<String, String> w : q.where().entrySet()) held &= w.getValue().equals(r.settings().get(w.getKey()));
            if (!held) continue;
            List<String> name = new ArrayList<>();
            for (String b : by) name.add(b + "=" + r.settings().get(b));
            series.computeIfAbsent(String.join(", ", name), k -> new TreeMap<>())
                    .computeIfAbsent(r.number(x), k -> new ArrayList<>()).add(r);
        }
        List<String> theories = new ArrayList<>();
        for (String c : t.columns()) if (c.matches("theory_[a-z0-9]+_" + java.util.regex.Pattern.quote(y))) theories.add(c);
        List<Trends.Line> main = new ArrayList<>(), inverse = new ArrayList<>();
        boolean againstN = x.equals("N");
        int color = 0;
        for (Map.Entry<String, TreeMap<Double, List<SweepTable.Row>>> s : series.entrySet()) {
            int n = s.getValue().size();
            double[] xs = new double[n], m = new double[n], se = new double[n];
            int i = 0;
            for (Map.Entry<Double, List<SweepTable.Row>> e : s.getValue().entrySet()) {
                double[] st = SweepTable.stats(e.getValue(), y);
                xs[i] = e.getKey();
                m[i] = st[0];
                se[i] = st[1];
                i++;
            }
            String label = s.getKey().isEmpty() ? y : s.getKey();
            main.add(new Trends.Line(label, xs, m, se, Trends.Style.MEASURED, color));
            double[] inv = new double[n];
            for (int k = 0; k < n; k++) inv[k] = 1 / xs[k];
            if (againstN) inverse.add(new Trends.Line(label, inv, m, se, Trends.Style.MEASURED, color));
            for (String th : theories) {
                double[] tv = new double[n];
                int k = 0;
                boolean any = false;
                for (List<SweepTable.Row> rows : s.getValue().values()) {
                    tv[k] = SweepTable.stats(rows, th)[0];
                    any |= Double.isFinite(tv[k]);
                    k++;
                }
                if (!any) continue;
                String tl = (s.getKey().isEmpty() ? "" : s.getKey() + ": ") + "theory (" + th.substring(7, th.length() - y.length() - 1) + ")";
                main.add(new Trends.Line(tl, xs, tv, null, Trends.Style.THEORY, color));
                if (againstN) {
                    // a theory of N -> infinity (the same at every N) is drawn on to 1/N = 0, where it applies
                    boolean flat = true;
                    for (double v : tv) flat &= !Double.isFinite(v) || v == tv[0];
                    double top = 0;
                    for (double v : inv) top = Math.max(top, v);
                    inverse.add(flat && Double.isFinite(tv[0]) ? new Trends.Line(tl, new double[]{0, top}, new double[]{tv[0], tv[0]}, null,
                            Trends.Style.THEORY, color) : new Trends.Line(tl, inv, tv, null, Trends.Style.THEORY, color));
                }
            }
            if (againstN) {
                Fit f = fit(inv, m, se);
                if (f != null) {
                    double top = 0;
                    for (double v : inv) top = Math.max(top, v);
                    inverse.add(new Trends.Line(label + ": a + b/N", new double[]{0, top}, new double[]{f.a(), f.a() + f.b() * top}, null,
                            Trends.Style.FIT, color));
                    inverse.add(new Trends.Line(label + ": N -> infinity", new double[]{0}, new double[]{f.a()}, new double[]{f.aError()},
                            Trends.Style.ESTIMATE, color));
                    Extrapolation e = new Extrapolation(y, label, f.a(), f.aError(), f.method(), n);
                    ex.add(e);
                    lines.add(String.format(Locale.ROOT, "%s%s at N -> infinity: %s +- %s (%s in 1/N over N = %s..%s, %d points)",
                            s.getKey().isEmpty() ? "" : s.getKey() + ": ", y, Sweep.num(f.a()), Sweep.num(f.aError()), f.method(),
                            plain(xs[0]), plain(xs[n - 1]), n));
                }
            }
            color++;
        }
        String suffix = by.isEmpty() ? "" : "_by_" + String.join("_", by);
        String title = y + " against " + x + (by.isEmpty() ? "" : " by " + String.join(", ", by)) + " (mean +- SE over seeds)";
        Path p = Png.write(out.resolve(y + "_vs_" + x + suffix + ".png"), Trends.plot(main, title, x, y, logX, logY, false));
        images.add(p);
        lines.add("wrote " + p);
        if (againstN) {
            Path pi = Png.write(out.resolve(y + "_vs_1_over_N" + suffix + ".png"), Trends.plot(inverse,
                    y + " against 1/N, extrapolated to N -> infinity", "1/N", y, false, logY, true));
            images.add(pi);
            lines.add("wrote " + pi);
        }
    }

    /** The intercept a and slope b of y = a + b x, a's standard error, and how they were found. */
    record Fit(double a, double b, double aError, String method) {}

    /**
     * Weighted least squares with weights 1/se² when every point has a standard error above 0
     * (a's error then from (XᵀWX)⁻¹); otherwise ordinary least squares with the error from the
     * residuals (needs 3 points). Null with fewer than 2 usable points.
     */
    static Fit fit(double[] x, double[] y, double[] se) {
        List<Integer> use = new ArrayList<>();
        for (int i = 0; i < x.length; i++) if (Double.isFinite(x[i]) && Double.isFinite(y[i])) use.add(i);
        if (use.size() < 2) return null;
        boolean weighted = true;
        for (int i : use) weighted &= Double.isFinite(se[i]) && se[i] > 0;
        double s0 = 0, s1 = 0, s2 = 0, t0 = 0, t1 = 0;
        for (int i : use) {
            double w = weighted ? 1 / (se[i] * se[i]) : 1;
            s0 += w;
            s1 += w * x[i];
            s2 += w * x[i] * x[i];
            t0 += w * y[i];
            t1 += w * x[i] * y[i];
        }
        double det = s0 * s2 - s1 * s1;
        if (!(Math.abs(det) > 0)) return null;
        double a = (s2 * t0 - s1 * t1) / det, b = (s0 * t1 - s1 * t0) / det;
        double var;
        if (weighted) {
            var = s2 / det;
        } else {
            double rss = 0;
            for (int i : use) rss += (y[i] - a - b * x[i]) * (y[i] - a - b * x[i]);
            var = use.size() > 2 ? rss / (use.size() - 2) * s2 / det : Double.NaN;
        }
        return new Fit(a, b, Math.sqrt(var), weighted ? "weighted least squares, weights 1/SE^2" : "ordinary least squares, a point having no standard error above 0");
    }

    private static boolean numeric(SweepTable.Table t, String k) {
        for (SweepTable.Row r : t.rows()) {
            String v = r.settings().get(k);
            if (v == null) continue;
            try {
                Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return true;
    }

    private static int distinct(SweepTable.Table t, String k) {
        return (int) t.rows().stream().map(r -> r.settings().get(k)).distinct().count();
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
