package org.nnpost.analysis;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.output.Manifest;
import org.nnpost.output.RunLayout;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.spec.SpecException;
import org.nnpost.theory.TheoryNumbers;

/**
 * One complete run directory as a row of numbers: what a sweep's table holds for a point. Every
 * file is checked against the run's layout before it is read ({@link RunFiles}).
 *
 * <p>The observables, by group (the names are the table's columns):
 * <ul>
 * <li>{@code diagnostics}: max_rhat, min_ess_bulk, min_ess_tail (over every trace), mean_loss,
 *     warnings (how many summary.json lists), warning_codes (their distinct codes, sorted, ';'
 *     between), dropped_chains;</li>
 * <li>{@code errors}: train_error, test_error (of the posterior mean predictor),
 *     train_error_gibbs, test_error_gibbs (of single kept draws);</li>
 * <li>{@code coding}: participation_ratio_per_N, excess_kurtosis, coding_scheme, coding_reliable
 *     (summary.json's coding block);</li>
 * <li>{@code readout_U}: readout_U_p_q (p ≤ q), the sampled per-neuron second moment of the
 *     readout, U = ⟨a aᵀ⟩ (m × m) averaged over chains, kept draws and neurons of
 *     readout_samples.npy (dropped chains' NaN entries left out);</li>
 * <li>{@code kernel}: kernel_diag_mean, kernel_offdiag_same_class_mean,
 *     kernel_offdiag_other_class_mean of the last layer's kernel on the training inputs
 *     (pairs μ ≠ ν of one class, and of two classes);</li>
 * <li>{@code theory}: {@code theory_<source>_<observable>}, the predictions of
 *     {@link TheoryColumns#all()} beside the observable they predict.</li>
 * </ul>
 * Undefined values are NaN (a run without kept draws has no U; L = 0 has no kernel; the
 * mean-field theory covers linear L = 1 networks only).
 */
public final class RunRow {
    private RunRow() {}

    public static final String DIAGNOSTICS = "diagnostics", ERRORS = "errors", CODING = "coding", READOUT = "readout_U",
            KERNEL_GROUP = "kernel", THEORY = "theory";
    public static final List<String> GROUPS = List.of(DIAGNOSTICS, ERRORS, CODING, READOUT, KERNEL_GROUP, THEORY);

    static final List<String> DIAGNOSTIC_COLUMNS = List.of("max_rhat", "min_ess_bulk", "min_ess_tail", "mean_loss",
            "warnings", "warning_codes", "dropped_chains");
    static final List<String> ERROR_COLUMNS = List.of("train_error", "test_error", "train_error_gibbs", "test_error_gibbs");
    static final List<String> CODING_COLUMNS = List.of("participation_ratio_per_N", "excess_kurtosis", "coding_scheme",
            "coding_reliable");
    static final List<String> KERNEL = List.of("kernel_diag_mean", "kernel_offdiag_same_class_mean",
            "kernel_offdiag_other_class_mean");

    /** Columns whose values are text or true/false, not numbers (a table of means leaves them out). */
    public static final List<String> TEXT = List.of("warning_codes", "coding_scheme", "coding_reliable");

    /** readout_U_p_q for p ≤ q < m. */
    public static List<String> readoutColumns(int m) {
        List<String> c = new ArrayList<>();
        for (int p = 0; p < m; p++) for (int q = p; q < m; q++) c.add("readout_U_" + p + "_" + q);
        return c;
    }

    private static List<String> group(String g, int m) {
        return switch (g) {
            case DIAGNOSTICS -> DIAGNOSTIC_COLUMNS;
            case ERRORS -> ERROR_COLUMNS;
            case CODING -> CODING_COLUMNS;
            case READOUT -> readoutColumns(m);
            case KERNEL_GROUP -> KERNEL;
            default -> List.of();
        };
    }

    /** A group's name, a sampled column or a theory column. */
    public static boolean isObservable(String name) {
        if (GROUPS.contains(name) || isSampled(name)) return true;
        for (TheoryColumns t : TheoryColumns.all()) {
            String prefix = "theory_" + t.source() + "_";
            if (name.startsWith(prefix)) {
                String o = name.substring(prefix.length());
                return t.observables(Math.max(2, readoutSize(o))).contains(o);
            }
        }
        return false;
    }

    private static boolean isSampled(String name) {
        return DIAGNOSTIC_COLUMNS.contains(name) || ERROR_COLUMNS.contains(name) || CODING_COLUMNS.contains(name)
                || KERNEL.contains(name) || name.matches("readout_U_[0-9]{1,4}_[0-9]{1,4}") && isUpper(name);
    }

    private static boolean isUpper(String name) {
        String[] p = name.substring("readout_U_".length()).split("_");
        return Integer.parseInt(p[0]) <= Integer.parseInt(p[1]);
    }

    /** The m a readout_U_p_q column needs (q + 1), or 0 for any other name. */
    private static int readoutSize(String name) {
        if (!name.matches("readout_U_[0-9]{1,4}_[0-9]{1,4}")) return 0;
        return Integer.parseInt(name.substring(name.lastIndexOf('_') + 1)) + 1;
    }

    /**
     * The columns of the observables asked for (null: every group), for points of at most m
     * classes, in table order: each sampled column followed by the theory columns that predict
     * it; theory columns asked for without their observable come last.
     */
    public static List<String> columns(List<String> observables, int m) {
        boolean all = observables == null;
        boolean theory = all || observables.contains(THEORY);
        List<String> sampled = new ArrayList<>();
        for (String g : GROUPS) {
            if (g.equals(THEORY)) continue;
            for (String c : group(g, m))
                if (all || observables.contains(g) || observables.contains(c)) sampled.add(c);
        }
        List<String> out = new ArrayList<>();
        List<String> theoryColumns = new ArrayList<>();
        for (TheoryColumns t : TheoryColumns.all())
            for (String o : t.observables(m)) theoryColumns.add(t.column(o));
        for (String c : sampled) {
            out.add(c);
            for (TheoryColumns t : TheoryColumns.all())
                if (t.observables(m).contains(c)) out.add(t.column(c));
        }
        for (String c : theoryColumns)
            if (!out.contains(c) && (theory || observables.contains(c))) out.add(c);
        return out;
    }

    /**
     * A row: the values by column (Double, Long, String or Boolean; NaN for undefined), the run's
     * parameters (manifest.json's) and its timings, which the table keeps apart from the numbers.
     */
    public record Row(Map<String, Object> values, ObjectNode parameters, ObjectNode timings) {}

    /** Theory numbers shared by runs of the same data and network (points that differ in seed or N only). */
    public static final class TheoryCache {
        private final Map<String, TheoryNumbers> cache = new HashMap<>();

        synchronized TheoryNumbers get(ModelSpec spec, Task task) {
            // the theory is that of N -> infinity: the width is no part of it
            String key = task.checksum() + "|" + spec.L() + "|" + spec.N0() + "|" + spec.m() + "|" + spec.phi().id() + "|"
                    + spec.scaling().id() + "|" + spec.beta0() + "|" + spec.sigmaW2() + "|" + spec.sigmaA2();
            return cache.computeIfAbsent(key, k -> TheoryNumbers.of(spec, task));
        }
    }

    /** The row of a complete run directory; a directory that is not one ends with one line naming the file. */
    public static Row of(Path dir, TheoryCache cache) {
        Path manifestFile = dir.resolve(Manifest.FILE);
        if (!Files.isRegularFile(manifestFile)) throw SpecException.input(manifestFile.toString(), "missing", "a complete run");
        JsonNode manifest = RunFiles.readJson(manifestFile, "the manifest.json nnpost sample writes");
        if (!Manifest.COMPLETE.equals(manifest.path("status").asText()))
            throw SpecException.input(manifestFile.toString(), "status \"" + manifest.path("status").asText() + "\"", "a complete run");
        RunConfig run = RunSettings.recorded(manifest.path("parameters"), dir, manifestFile.toString());
        ModelSpec spec = run.model();
        int m = spec.m();
        RunFiles files = new RunFiles(dir, RunLayout.of(spec, run.task(), run.sampler()));
        JsonNode s = files.json(RunLayout.SUMMARY);
        Map<String, Object> v = new LinkedHashMap<>();

        v.put("max_rhat", number(s.path("max_rhat")));
        v.put("min_ess_bulk", number(s.path("min_ess_bulk")));
        v.put("min_ess_tail", number(s.path("min_ess_tail")));
        v.put("mean_loss", number(s.path("mean_loss")));
        TreeSet<String> codes = new TreeSet<>();
        for (JsonNode w : s.path("warnings")) codes.add(w.path("code").asText());
        v.put("warnings", (long) s.path("warnings").size());
        v.put("warning_codes", String.join(";", codes));
        v.put("dropped_chains", (long) manifest.path("dropped_chains").size());

        JsonNode err = s.path("error");
        v.put("train_error", number(err.at("/train/mean_predictor/overall")));
        v.put("test_error", number(err.at("/test/mean_predictor/overall")));
        v.put("train_error_gibbs", number(err.at("/train/gibbs/overall")));
        v.put("test_error_gibbs", number(err.at("/test/gibbs/overall")));

        JsonNode c = s.path("coding");
        boolean coded = c.isObject();
        v.put("participation_ratio_per_N", coded ? number(c.path("participation_ratio_per_N")) : Double.NaN);
        v.put("excess_kurtosis", coded ? number(c.path("excess_kurtosis")) : Double.NaN);
        v.put("coding_scheme", coded ? c.path("scheme").asText() : null);
        v.put("coding_reliable", coded ? (Object) c.path("reliable").asBoolean() : null);

        double[] u = readoutMoment(files.array(RunLayout.READOUT), m);
        List<String> uc = readoutColumns(m);
        int k = 0;
        for (int p = 0; p < m; p++) for (int q = p; q < m; q++) v.put(uc.get(k++), u == null ? Double.NaN : u[p * m + q]);

        Task task = new Task(dir.getFileName().toString(), dataset(files, false, m), dataset(files, true, m));
        Map<String, Double> kernel = spec.L() >= 1 && run.sampler().draws() > 0
                ? kernelSummary(files.array(RunLayout.kernel(spec.L(), false)).doubles(), task.train().labels()) : Map.of();
        for (String name : KERNEL) v.put(name, kernel.getOrDefault(name, Double.NaN));

        Supplier<TheoryNumbers> numbers = new Supplier<>() {
            TheoryNumbers th;

            @Override public TheoryNumbers get() {
                if (th == null) th = cache != null ? cache.get(spec, task) : TheoryNumbers.of(spec, task);
                return th;
            }
        };
        TheoryColumns.Point point = new TheoryColumns.Point(run, task, numbers);
        for (TheoryColumns t : TheoryColumns.all()) {
            Map<String, Double> predicted = t.predict(point);
            for (String o : t.observables(m)) {
                Double x = predicted.get(o);
                v.put(t.column(o), x == null ? Double.NaN : x);
            }
        }

        ObjectNode timings = Json.object();
        s.path("timings").properties().forEach(e -> timings.set(e.getKey(), e.getValue()));
        JsonNode total = manifest.path("timings").path("total_s");
        if (total.isNumber()) timings.set("run_total_s", total);
        return new Row(v, ((ObjectNode) manifest.path("parameters")).deepCopy(), timings);
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : Double.NaN;
    }

    /** ⟨a aᵀ⟩ per neuron over every (chain, kept draw, neuron) of a [C, K, N, m] array; null without draws. */
    static double[] readoutMoment(Npy.Array a, int m) {
        float[] x = a.floats();
        if (x.length == 0) return null;
        double[] u = new double[m * m];
        long n = 0;
        for (int r = 0; r + m <= x.length; r += m) {
            boolean finite = true;
            for (int p = 0; p < m; p++) finite &= Float.isFinite(x[r + p]);
            if (!finite) continue;   // a dropped chain's entries
            for (int p = 0; p < m; p++)
                for (int q = 0; q < m; q++) u[p * m + q] += (double) x[r + p] * x[r + q];
            n++;
        }
        if (n == 0) return null;
        for (int i = 0; i < u.length; i++) u[i] /= n;
        return u;
    }

    /** Mean diagonal, and mean off-diagonal entry over pairs μ ≠ ν of one class and of two classes, of a P × P kernel. */
    static Map<String, Double> kernelSummary(double[] k, int[] labels) {
        int P = labels.length;
        double diag = 0, same = 0, other = 0;
        long ns = 0, no = 0;
        for (int a = 0; a < P; a++) {
            diag += k[a * P + a];
            for (int b = 0; b < P; b++) {
                if (a == b) continue;
                if (labels[a] == labels[b]) { same += k[a * P + b]; ns++; }
                else { other += k[a * P + b]; no++; }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(KERNEL.get(0), P == 0 ? Double.NaN : diag / P);
        out.put(KERNEL.get(1), ns == 0 ? Double.NaN : same / ns);
        out.put(KERNEL.get(2), no == 0 ? Double.NaN : other / no);
        return out;
    }

    private static Dataset dataset(RunFiles files, boolean test, int m) {
        Npy.Array x = files.array(RunLayout.inputs(test));
        int[] lab = files.labels(test, m);
        float[] y = files.array(RunLayout.targets(test)).floats();
        return new Dataset((int) x.shape()[0], (int) x.shape()[1], m, x.floats(), lab, y);
    }
}
