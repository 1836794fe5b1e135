package org.nnpost.output;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nnpost.backend.Traces;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Npy;
import org.nnpost.model.ModelSpec;
import org.nnpost.sampler.SamplerSpec;

/**
 * What the run directory of a complete {@code nnpost sample} run holds: every file, and for each
 * array its element type and shape as a function of the run's settings. The writer
 * ({@code run.SampleRun}, {@link KeptSamples}) takes its file names from here, a test holds a
 * real run to exactly this list, and {@code nnpost plot} checks what it reads against it, so a
 * damaged or foreign directory is named file by file instead of being read as if it were whole.
 *
 * <p>With C chains, D draws (after burn-in, one every {@code every} steps), K = min(keep, D)
 * kept draws, L hidden layers of width N (the last layer's width is N0 when L = 0), m classes,
 * P training and P* test inputs of dimension N0:
 *
 * <pre>
 *   manifest.json                                  settings, backend, versions, timings, status
 *   x_train.npy       float32 [P, N0]              the training inputs
 *   y_train.npy       float32 [P, m]               their targets
 *   labels_train.npy  int64   [P]                  their classes
 *   x_test.npy, y_test.npy, labels_test.npy        the same for the P* test inputs
 *   trace_potential.npy, trace_loss.npy,
 *   trace_sqnorm_W1.npy … trace_sqnorm_a.npy
 *                     float64 [C, D]               one value per chain and draw
 *   divergence.npy    int64   [C]                  the step a chain diverged at, or -1
 *   kernel_l{l}_train.npy  float64 [P, P]          layer l's kernel on the training inputs, l = 1..L
 *   kernel_l{l}_test.npy   float64 [P*, P*]        and on the test inputs
 *   predictor_mean_train.npy, predictor_var_train.npy  float64 [P, m]
 *   predictor_mean_test.npy, predictor_var_test.npy    float64 [P*, m]
 *   readout_samples.npy    float32 [C, K, N, m]    the readout weights of the kept draws
 *   activations_train.npy  float32 [C, K, N, P]    the last hidden layer's activations
 *   activations_test.npy   float32 [C, K, N, P*]
 *   summary.json                                   diagnostics, errors, coding scheme
 * </pre>
 *
 * It names the settings records, not {@code run.RunConfig}: output sits below run.
 */
public final class RunLayout {
    public static final String MANIFEST = Manifest.FILE;
    public static final String SUMMARY = "summary.json";
    public static final String DIVERGENCE = "divergence.npy";
    public static final String READOUT = "readout_samples.npy";
    public static final String ACT_TRAIN = "activations_train.npy";
    public static final String ACT_TEST = "activations_test.npy";

    /**
     * One file of a run directory.
     *
     * @param dtype the element type of an array, or null for a JSON file
     * @param shape the array's shape, or null for a JSON file
     * @param dims  what each dimension counts ("chain", "kept", "N", "m", …), or null for a JSON file
     * @param what  what the file holds, in a few words
     */
    public record Entry(String name, Npy.Dtype dtype, long[] shape, String[] dims, String what) {
        public Entry {
            shape = shape == null ? null : shape.clone();
            dims = dims == null ? null : dims.clone();
        }

        public boolean isArray() { return dtype != null; }

        @Override public long[] shape() { return shape == null ? null : shape.clone(); }

        @Override public String[] dims() { return dims == null ? null : dims.clone(); }

        /** "[2, 3, 30, 2]". */
        public String shapeText() { return shape == null ? "" : text(shape); }

        /** "[chain, kept, N, m]". */
        public String dimsText() { return dims == null ? "" : "[" + String.join(", ", dims) + "]"; }

        /** "float32 [chain, kept, N, m] = [2, 3, 30, 2]", or "JSON". */
        public String describe() {
            return isArray() ? dtype.numpyName + " " + dimsText() + " = " + shapeText() : "JSON";
        }
    }

    private final Map<String, Entry> files;

    private RunLayout(Map<String, Entry> files) { this.files = files; }

    /** The files of a complete run of these settings (the settings records check themselves, so they are consistent). */
    public static RunLayout of(ModelSpec model, TaskSpec task, SamplerSpec sampler) {
        int C = sampler.chains(), m = model.m(), N0 = model.N0(), P = task.P(), Pt = task.Ptest(), L = model.L();
        long D = sampler.draws(), K = Math.min(sampler.keepDraws(), D);
        String width = L == 0 ? "N0" : "N";
        int n = model.lastWidth();
        Map<String, Entry> f = new LinkedHashMap<>();
        json(f, MANIFEST, "settings, backend, versions, timings and status (\"complete\" once every file is in)");
        for (boolean test : new boolean[]{false, true}) {
            int rows = test ? Pt : P;
            String r = test ? "Ptest" : "P", which = test ? "test" : "training";
            array(f, inputs(test), Npy.Dtype.FLOAT32, "the " + which + " inputs", dims(r, rows, "N0", N0));
            array(f, targets(test), Npy.Dtype.FLOAT32, "the " + which + " targets", dims(r, rows, "m", m));
            array(f, labels(test), Npy.Dtype.INT64, "the " + which + " classes, 0 to m - 1", dims(r, rows));
        }
        for (String column : Traces.names(model))
            array(f, trace(column), Npy.Dtype.FLOAT64, "the " + column + " trace of every chain at every draw",
                    dims("chain", C, "draw", D));
        array(f, DIVERGENCE, Npy.Dtype.INT64, "the step each chain diverged at, -1 for none", dims("chain", C));
        if (D > 0) {
            for (int l = 1; l <= L; l++) {
                array(f, kernel(l, false), Npy.Dtype.FLOAT64, "layer " + l + "'s kernel on the training inputs, mean over draws",
                        dims("P", P, "P", P));
                array(f, kernel(l, true), Npy.Dtype.FLOAT64, "layer " + l + "'s kernel on the test inputs, mean over draws",
                        dims("Ptest", Pt, "Ptest", Pt));
            }
            for (boolean test : new boolean[]{false, true}) {
                int rows = test ? Pt : P;
                String r = test ? "Ptest" : "P", which = test ? "test" : "training";
                array(f, predictorMean(test), Npy.Dtype.FLOAT64, "the mean predictor on the " + which + " inputs",
                        dims(r, rows, "m", m));
                array(f, predictorVar(test), Npy.Dtype.FLOAT64, "the predictor's variance over draws on the " + which + " inputs",
                        dims(r, rows, "m", m));
            }
        }
        array(f, READOUT, Npy.Dtype.FLOAT32, "the readout weights of the kept draws",
                dims("chain", C, "kept", K, width, n, "m", m));
        array(f, ACT_TRAIN, Npy.Dtype.FLOAT32, "the last hidden layer's activations on the training inputs, kept draws",
                dims("chain", C, "kept", K, width, n, "P", P));
        array(f, ACT_TEST, Npy.Dtype.FLOAT32, "the last hidden layer's activations on the test inputs, kept draws",
                dims("chain", C, "kept", K, width, n, "Ptest", Pt));
        json(f, SUMMARY, "convergence diagnostics, errors per class, the coding scheme, timings");
        return new RunLayout(Collections.unmodifiableMap(f));
    }

    /** Every file, in the order a run writes them (the manifest first; it is rewritten last). */
    public List<Entry> files() { return new ArrayList<>(files.values()); }

    /** Every array. */
    public List<Entry> arrays() { return files.values().stream().filter(Entry::isArray).toList(); }

    /** The names of every file. */
    public List<String> names() { return new ArrayList<>(files.keySet()); }

    public boolean has(String name) { return files.containsKey(name); }

    /** The file of this name; a name the layout does not list is a programming error. */
    public Entry get(String name) {
        Entry e = files.get(name);
        if (e == null) throw new IllegalArgumentException(name + " is not a file of a run directory");
        return e;
    }

    // ---------------------------------------------------------------- which draws

    /** The step after which draw d (0-based) is taken: burn_in + every·(d + 1) (run.DrawSchedule's rule). */
    public static long stepOfDraw(long d, long burnIn, int every) { return burnIn + (d + 1) * every; }

    /** The draw index of kept draw j of K among D draws: ⌊(j + 1)·D / K⌋ − 1, so the last draw is kept. */
    public static long drawOfKept(int j, long D, int K) { return (j + 1) * D / K - 1; }

    // ---------------------------------------------------------------- names

    /** trace_&lt;column&gt;.npy, column one of {@link Traces#names}. */
    public static String trace(String column) { return "trace_" + column + ".npy"; }

    /** kernel_l&lt;layer&gt;_train.npy or _test.npy, layer 1..L. */
    public static String kernel(int layer, boolean test) { return "kernel_l" + layer + "_" + which(test) + ".npy"; }

    public static String predictorMean(boolean test) { return "predictor_mean_" + which(test) + ".npy"; }

    public static String predictorVar(boolean test) { return "predictor_var_" + which(test) + ".npy"; }

    public static String inputs(boolean test) { return "x_" + which(test) + ".npy"; }

    public static String targets(boolean test) { return "y_" + which(test) + ".npy"; }

    public static String labels(boolean test) { return "labels_" + which(test) + ".npy"; }

    private static String which(boolean test) { return test ? "test" : "train"; }

    // ---------------------------------------------------------------- helpers

    /** Dimension names and sizes, alternating. */
    private static Object[] dims(Object... nameSize) { return nameSize; }

    private static void array(Map<String, Entry> f, String name, Npy.Dtype dtype, String what, Object[] dims) {
        String[] names = new String[dims.length / 2];
        long[] shape = new long[dims.length / 2];
        for (int k = 0; k < names.length; k++) {
            names[k] = (String) dims[2 * k];
            shape[k] = ((Number) dims[2 * k + 1]).longValue();
        }
        f.put(name, new Entry(name, dtype, shape, names, what));
    }

    private static void json(Map<String, Entry> f, String name, String what) {
        f.put(name, new Entry(name, null, null, null, what));
    }

    static String text(long[] shape) {
        return Arrays.toString(shape);
    }
}
