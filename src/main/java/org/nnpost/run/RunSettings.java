package org.nnpost.run;

import static org.nnpost.run.Setting.of;
import static org.nnpost.run.Setting.toggle;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.DataException;
import org.nnpost.data.Datasets;
import org.nnpost.data.TaskSpec;
import org.nnpost.io.Json;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.output.OutputDir;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.SpecException;

/**
 * The settings of a run, in one table: what every command that makes runs accepts (sample,
 * theory, and the same keys in config files, manifests and studies), their defaults, and the two
 * conversions between settings and a {@link RunConfig}: {@link #config} reads them (the records
 * check themselves; this adds the rules between settings, such as which flags go with which
 * task), and {@link #parameters} writes a run's settings back, flat, with every default filled
 * in, so that manifest.json's {@code parameters} can be given again as {@code --config}.
 *
 * <p>The defaults are the default job: a non-lazy one-hidden-layer ReLU network, N = P = N0 = 64,
 * β₀ = 10, on two equally likely classes of orthogonal data, 4 chains. Measured on the CPU
 * reference (2 threads): chains blow up near η = 0.03 (the readout is the stiff group); at
 * η = 0.01 the mean training loss is ten times its small-η value (ULA's bias); η = 0.002 and 0.003
 * agree on it (about 0.10) and η = 0.005 is within 10%. The loss settles within about 1000 steps,
 * but ‖a‖² (the sparse ReLU code forming) mixes slowly: with η = 0.005, 5000 steps left its R̂ at
 * 1.2, while 10000 steps with 4000 of burn-in gave R̂ ≤ 1.03 and bulk ESS ≥ 140 on every trace,
 * in about 25 s.
 */
public final class RunSettings {
    private RunSettings() {}

    public static final String NETWORK = "Network (SPEC section 1)";
    public static final String POSTERIOR = "Posterior (SPEC section 2)";
    public static final String TASK = "Task (SPEC section 5): random classification of orthogonal data, or images";
    public static final String SAMPLER = "Langevin sampler (SPEC section 3)";
    public static final String MACHINE = "Machine";
    public static final String OUTPUT = "Output";

    public static final double[] DEFAULT_CLASSES = {0.5, 0.5};
    public static final float DEFAULT_ETA = 0.005f;
    /** --eta's value that asks for step sizes tuned during burn-in. */
    public static final String AUTO = "auto";
    /** Every per-run array is a Java array: sizes past its 2³¹ limit are refused before any allocation. */
    public static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    public static final String[] PROGRESS = {"auto", "bar", "lines", "off"};
    static final String OUT_ALLOWED = OutputDir.ALLOWED;

    /** Where the chains run: the same flags for every command that runs chains. */
    public static final List<Setting> MACHINE_SETTINGS = List.of(
            of("backend", MACHINE, "name", "auto", "cpu, cuda or auto (cuda when a usable GPU is found)"),
            of("threads", MACHINE, "int", "all cores", "CPU threads; results do not depend on it"),
            of("device", MACHINE, "int", "0", "GPU to run on (see nnpost devices)"),
            of("devices", MACHINE, "list", null, "GPUs to split the chains across, e.g. 0,1: the same numbers as one GPU"),
            of("precision", MACHINE, "name", "fp32", "fp32, or tf32 (GPU only: tensor-core GEMMs, about 3 digits in the products)"),
            of("rng", MACHINE, "name", "philox", "noise generator: philox (ours, as on the CPU), or curand (GPU only: "
                    + "cuRAND's generator, to check that results do not hinge on ours; same statistics, other draws)"));

    /** The network, the posterior, the task and the sampler: what determines the numbers of a run. */
    public static final List<Setting> SCIENCE_SETTINGS = List.of(
            of("L", NETWORK, "int", "1", "hidden layers; 0 is a linear readout of the input"),
            of("N", NETWORK, "int", "64", "hidden width"),
            of("N0", NETWORK, "int", "64", "input dimension"),
            of("m", NETWORK, "int", "number of class weights", "outputs, one per class; alone: m equally likely classes"),
            of("phi", NETWORK, "name", "relu", "nonlinearity: " + Phi.names()),
            of("scaling", NETWORK, "name", "meanfield", "meanfield (gamma = 1, non-lazy) or lazy (gamma = 1/2)"),

            of("beta0", POSTERIOR, "x", "10", "inverse temperature before width scaling"),
            of("beta-scaling", POSTERIOR, "on|off", "on", "on: beta = beta0 N^(2 gamma - 1); off: beta = beta0"),
            of("sigma-w2", POSTERIOR, "x", "1", "prior variance of the hidden weights"),
            of("sigma-a2", POSTERIOR, "x", "1", "prior variance of the readout weights"),
            toggle("sigma-a2-per-P", POSTERIOR, "the given sigma-a2 is divided by P"),

            of("task", TASK, "name", "orthogonal", "orthogonal, mnist, fashion-mnist or cifar10 (see scripts/fetch-datasets.sh)"),
            of("P", TASK, "int", "64", "training inputs (at most N0 on the orthogonal task)"),
            of("Ptest", TASK, "int", "64", "test inputs"),
            of("class-probs", TASK, "list", "0.5,0.5", "class probabilities; labels drawn i.i.d."),
            of("class-ratios", TASK, "list", null, "class proportions with fixed counts, e.g. 0.5,0.25,0.25"),
            of("y-plus", TASK, "x", "1", "target of the true class"),
            of("y-minus", TASK, "x", "-1", "target of the other classes"),
            of("test-overlap", TASK, "x", "0.5", "cosine between a test input and the training input it is built on"),
            of("data-seed", TASK, "int", "1", "seed of the data, apart from the sampler's"),
            of("classes", TASK, "list", "0,1", "images: dataset labels to keep, in the order of the new labels"),
            of("draw", TASK, "name", "balanced", "images: balanced (equal counts per class) or random"),
            of("center", TASK, "on|off", "on", "images: subtract the training mean pixel"),
            of("normalize", TASK, "on|off", "on", "images: scale every input to |x|^2 = N0"),
            of("pixel-scale", TASK, "x", "1", "images: value of a 255 pixel before centring"),
            of("data-dir", TASK, "dir", "$NNPOST_DATA or ~/.cache/nnpost/datasets", "images: the datasets directory"),

            of("sampler", SAMPLER, "name", "ula", "ula (unadjusted), mala (Metropolis-adjusted) or uld (underdamped, BAOAB)"),
            of("eta", SAMPLER, "x[,x...]|auto", "0.005", "step size: one value, one per group W1..WL,a, or auto: tuned per group during burn-in, then frozen and recorded (uld: time step sqrt(2 eta))"),
            of("friction", SAMPLER, "x[,x...]", "2", "uld: friction gamma, one value or one per group (2: critically damped at the prior's curvature)"),
            of("chains", SAMPLER, "int", "4", "independent chains C"),
            of("steps", SAMPLER, "int", "10000", "steps per chain"),
            of("burn-in", SAMPLER, "int", "4000, at most steps/2", "steps before the first kept draw"),
            of("every", SAMPLER, "int", "20, at most (steps - burn-in)/10", "a draw is kept every this many steps after burn-in"),
            of("keep", SAMPLER, "int", "10", "draws whose readout weights and activations are saved"),
            of("seed", SAMPLER, "int", "1", "sampler seed, 0 to 4294967295"),
            of("init", SAMPLER, "name", "prior", "where chains start: prior (independent prior draws) or theory (each neuron "
                    + "drawn from the N -> infinity single-neuron posterior: near equilibrium from step 0; orthogonal task, L = 1, meanfield)"));

    /** Where a run writes, how it shows progress, when it checkpoints, what a divergence or a warning does. */
    public static final List<Setting> OUTPUT_SETTINGS = List.of(
            of("out", OUTPUT, "dir", "runs/<name>", "run directory: new or empty"),
            of("name", OUTPUT, "name", "date and time", "run name, for the default run directory"),
            of("progress", OUTPUT, "mode", "auto", "auto (a bar on a terminal, else lines), bar, lines, off"),
            of("checkpoint-every", OUTPUT, "steps|time", "5m", "save a checkpoint every so many steps (5000) or so "
                    + "much time (90s, 10m, 2h), and at the end of burn-in; off: only when interrupted"),
            of("on-divergence", OUTPUT, "mode", "stop", "stop: a diverged chain ends the run (exit code 3); "
                    + "drop: the healthy chains go on and their outputs are written"),
            toggle("strict", OUTPUT, "convergence warnings end the run with exit code 4 (after writing everything)"));

    /** Every setting of one run, in the order the usage text lists them. */
    public static List<Setting> all() {
        List<Setting> s = new ArrayList<>(SCIENCE_SETTINGS);
        s.addAll(MACHINE_SETTINGS);
        s.addAll(OUTPUT_SETTINGS);
        return s;
    }

    // ---------------------------------------------------------------- settings -> RunConfig

    /**
     * A checked run from its settings: defaults filled in, the records made (they check
     * themselves), the rules between settings applied, and the datasets and the output directory
     * looked at, so that nothing about the request is left to fail after the run has started.
     * Every complaint names the setting as it was given.
     */
    public static RunConfig config(Settings v) {
        try {
            return read(v, null, null);
        } catch (SpecException e) {
            throw v.relabel(e);
        }
    }

    /**
     * A checked run into a directory its caller manages (a point of a sweep, whose directory may
     * already hold the point's unfinished run): everything {@link #config(Settings)} checks but
     * the directory, which is given instead of read from {@code out} or {@code name} (neither
     * may be given).
     */
    public static RunConfig config(Settings v, Path dir) {
        try {
            for (String key : new String[]{"out", "name"})
                if (v.has(key)) throw v.bad(key, "is chosen by the caller here", "leave it out");
            return read(v, null, dir);
        } catch (SpecException e) {
            throw v.relabel(e);
        }
    }

    /**
     * The run these settings describe, checked as {@link #config(Settings, Path)} checks a
     * request except that image datasets are not looked for: to list a study's runs (a figure's
     * recipes) on a machine without the data.
     */
    public static RunConfig described(Settings v, Path dir) {
        try {
            return read(v, dir, null);
        } catch (SpecException e) {
            throw v.relabel(e);
        }
    }

    /**
     * The run a directory holds, from its manifest's {@code parameters}: checked as a request is,
     * but without looking for the datasets or at the directory, which exists and is full.
     *
     * <p>A manifest records every setting that shapes the run (the network, the posterior, the
     * task, the sampler), defaults filled in; one missing is refused rather than filled by today's
     * default, which would describe another run than the one whose files are in the directory.
     * The machine settings may be missing (older manifests lack some); they change no file.
     * Every complaint names the file first: "run/manifest.json: parameters.N 0: out of range
     * (allowed: ...)".
     *
     * @param where the manifest, as messages name it
     */
    public static RunConfig recorded(JsonNode parameters, Path dir, String where) {
        Settings v;
        try {
            v = fromParameters(parameters, where);
        } catch (SpecException e) {
            throw fileFirst(e, where);
        }
        RunConfig c;
        try {
            c = read(v, dir, null);
        } catch (SpecException e) {
            String k = e.key();
            if (k != null && !v.has(k) && shapesTheRun(k)) throw lacks(where, k);
            if (k != null && v.has(k)) throw e.relabel(where + ": parameters." + Setting.fileKey(k), v.raw(k));
            throw fileFirst(e, where);
        }
        for (java.util.Iterator<String> it = parameters(c).fieldNames(); it.hasNext(); ) {
            String k = settingKey(it.next());
            if (k != null && !v.has(k) && shapesTheRun(k)) throw lacks(where, k);
        }
        return c;
    }

    /** A complaint that names settings as "key (in file)", said with the file once, first. */
    private static SpecException fileFirst(SpecException e, String where) {
        if (e.getMessage().startsWith(where)) return e;
        return SpecException.input(where + ": parameters", e.getMessage().replace(" (in " + where + ")", ""), null);
    }

    /** A setting a manifest must record: the science settings, except where image datasets were read from. */
    private static boolean shapesTheRun(String key) {
        if (key.equals("data-dir")) return false;
        for (Setting s : SCIENCE_SETTINGS) if (s.key().equals(key)) return true;
        return false;
    }

    private static String settingKey(String fileKey) {
        for (Setting s : all()) if (s.fileKey().equals(fileKey)) return s.key();
        return null;
    }

    private static SpecException lacks(String where, String key) {
        return SpecException.input(where, "parameters lack \"" + Setting.fileKey(key) + "\"",
                "every setting of the network, posterior, task and sampler, as nnpost sample records them");
    }

    /**
     * @param recordedDir the directory of a finished run being read back, or null for a new request
     * @param givenDir    for a new request, the directory its caller chose, or null to read out or name
     */
    private static RunConfig read(Settings v, Path recordedDir, Path givenDir) {
        // network
        int L = (int) v.integer("L", 1, 0, ModelSpec.MAX_L);
        int N = (int) v.integer("N", 64, 1, Integer.MAX_VALUE);
        int N0 = (int) v.integer("N0", 64, 1, Integer.MAX_VALUE);   // image tasks: the pixel count
        Phi phi = Phi.parse(v.string("phi", "relu"));
        Scaling scaling = Scaling.parse(v.string("scaling", "meanfield"));

        // posterior
        double beta0 = v.positive("beta0", 10);
        boolean betaScaling = v.onOff("beta-scaling", true);
        double sigmaW2 = v.positive("sigma-w2", 1);
        double sigmaA2 = v.positive("sigma-a2", 1);
        boolean perP = v.switchValue("sigma-a2-per-P");

        // task
        String kind = v.choice("task", TaskSpec.ORTHOGONAL, TaskSpec.KINDS);
        boolean images = !kind.equals(TaskSpec.ORTHOGONAL);
        if (images) {
            for (String key : new String[]{"class-probs", "class-ratios", "test-overlap"})
                if (v.has(key)) throw v.bad(key, "applies to the orthogonal task only", "leave it out with --task " + kind);
            int pixels = TaskSpec.pixels(kind);
            if (v.has("N0") && N0 != pixels)
                throw v.bad("N0", "differs from the " + pixels + " pixels of " + kind, pixels + ", or leave N0 out");
            N0 = pixels;
        } else {
            for (String key : new String[]{"classes", "draw", "center", "normalize", "pixel-scale", "data-dir"})
                if (v.has(key)) throw v.bad(key, "applies to image tasks only", "--task mnist, fashion-mnist or cifar10");
        }
        int P = (int) v.integer("P", 64, 1, Integer.MAX_VALUE);
        int Ptest = (int) v.integer("Ptest", 64, 1, Integer.MAX_VALUE);
        boolean fixedRatios = v.has("class-ratios");
        if (fixedRatios && v.has("class-probs"))
            throw SpecException.input(v.label("class-probs") + " " + v.raw("class-probs") + " conflicts with "
                    + v.label("class-ratios") + " " + v.raw("class-ratios"), "choose one", "one of the two");
        int[] classes = images ? imageClasses(v) : null;
        double[] classWeights = images ? equalWeights(classes.length)
                : classWeights(v, fixedRatios ? "class-ratios" : "class-probs", fixedRatios);
        if (images && v.has("m") && v.integer("m", classes.length, 1, ModelSpec.MAX_M) != classes.length)
            throw v.bad("m", "disagrees with the " + classes.length + " classes of " + v.label("classes"),
                    classes.length + ", or leave m out");
        int m = classWeights.length;
        double yPlus = v.real("y-plus", 1);
        double yMinus = v.real("y-minus", -1);
        double testOverlap = v.between("test-overlap", 0.5, 0, 1);
        long dataSeed = v.integer("data-seed", 1, 0, Long.MAX_VALUE);
        boolean balanced = v.choice("draw", "balanced", "balanced", "random").equals("balanced");
        boolean center = v.onOff("center", true);
        boolean normalize = v.onOff("normalize", true);
        double pixelScale = v.positive("pixel-scale", 1);
        Path dataDir = images ? Datasets.directory(v.has("data-dir") ? v.raw("data-dir") : null) : null;

        // sampler
        String algorithm = v.choice("sampler", "ula", SamplerSpec.ALGORITHMS);
        boolean autoEta = v.has("eta") && v.raw("eta").trim().equals(AUTO);
        float[] eta = autoEta ? SamplerSpec.uniformEta(L + 1, DEFAULT_ETA) : eta(v, L);
        int chains = (int) v.integer("chains", 4, 1, Integer.MAX_VALUE);
        long steps = v.integer("steps", 10000, 1, SamplerSpec.MAX_STEPS);
        long burnIn = v.integer("burn-in", Math.min(4000, steps / 2), 0, Long.MAX_VALUE);
        int every = (int) v.integer("every", SamplerSpec.defaultEvery(steps, Math.min(burnIn, steps - 1)), 1, Integer.MAX_VALUE);
        long draws = burnIn >= steps ? 0 : (steps - burnIn) / every;
        int keep = (int) v.integer("keep", SamplerSpec.defaultKeep(draws), 0, Integer.MAX_VALUE);
        int seed = (int) v.integer("seed", 1, 0, 0xFFFF_FFFFL);
        float[] friction = friction(v, L, algorithm);
        String init = v.choice("init", SamplerSpec.INIT_PRIOR, SamplerSpec.INITS);

        BackendSpec backend = backend(v);
        String progress = v.choice("progress", "auto", PROGRESS);
        RunOptions.Checkpoints checkpoints = v.has("checkpoint-every")
                ? RunOptions.Checkpoints.parse(v.raw("checkpoint-every")) : RunOptions.Checkpoints.DEFAULT;
        String onDivergence = v.choice("on-divergence", "stop", RunOptions.ON_DIVERGENCE);
        boolean strict = v.switchValue("strict");

        double sigmaA2Abs = perP ? sigmaA2 / P : sigmaA2;
        ModelSpec model = new ModelSpec(L, N, N0, m, phi, scaling, beta0, betaScaling, sigmaW2, sigmaA2Abs);
        TaskSpec task = new TaskSpec(kind, N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus,
                testOverlap, dataSeed, classes, balanced, center, normalize, pixelScale, dataDir);
        SamplerSpec sampler = new SamplerSpec(algorithm, eta, chains, steps, burnIn, every, keep, seed, friction, autoEta, init);
        // before the datasets are looked for: an image task is refused for what it is
        if (sampler.theoryInit()) RunConfig.checkTheoryInit(model, task);
        if (recordedDir != null)
            return new RunConfig(model, task, sampler, backend,
                    new RunOptions(recordedDir, false, progress, checkpoints, onDivergence, strict), perP);
        if (images) {
            try {
                Datasets.check(dataDir, kind);
            } catch (DataException e) {
                throw new DataException((v.has("data-dir") ? v.label("data-dir") + " " + v.raw("data-dir") + ": " : "")
                        + e.getMessage());
            }
        }
        if (givenDir != null)
            return new RunConfig(model, task, sampler, backend,
                    new RunOptions(givenDir, false, progress, checkpoints, onDivergence, strict), perP);
        // last, so that no directory question is asked of a request that is wrong anyway
        Path outDir = outDir(v);
        boolean fresh = !v.has("out") && !v.has("name");
        return new RunConfig(model, task, sampler, backend,
                new RunOptions(outDir, fresh, progress, checkpoints, onDivergence, strict), perP);
    }

    /**
     * --backend, --threads, --device, --devices, --precision and --rng: every command that runs
     * chains reads them here. TF32 and cuRAND are GPU features, so asking for them on the CPU is
     * an error ({@link BackendSpec}).
     */
    public static BackendSpec backend(Settings v) {
        try {
            String kind = v.choice("backend", "auto", BackendSpec.KINDS);
            int threads = (int) v.integer("threads", Runtime.getRuntime().availableProcessors(), 1, BackendSpec.MAX_THREADS);
            boolean tf32 = v.choice("precision", "fp32", "fp32", "tf32").equals("tf32");
            boolean curand = v.choice("rng", "philox", "philox", "curand").equals("curand");
            int device = (int) v.integer("device", 0, 0, BackendSpec.MAX_DEVICE);
            int[] devices = null;
            if (v.has("devices")) {
                if (v.has("device"))
                    throw SpecException.input(v.label("device") + " " + v.raw("device") + " conflicts with "
                            + v.label("devices") + " " + v.raw("devices"), "choose one", "one of the two");
                String allowed = "GPU indices from 0 to " + BackendSpec.MAX_DEVICE + ", e.g. 0,1";
                double[] given = v.reals("devices", new double[0], allowed);
                devices = new int[given.length];
                for (int k = 0; k < given.length; k++) {
                    double x = given[k];
                    if (x != Math.rint(x) || x < 0 || x > BackendSpec.MAX_DEVICE) throw v.bad("devices", "not " + allowed, allowed);
                    devices[k] = (int) x;
                }
            }
            return new BackendSpec(kind, threads, device, devices, tf32, curand);
        } catch (SpecException e) {
            throw v.relabel(e);
        }
    }

    /**
     * Class weights from a list, or m equal ones; m must agree with a list when both are given.
     * Weights that do not already sum to 1 are divided by their sum (ratios 2,1,1 are 1/2, 1/4,
     * 1/4); weights that do are kept as given, so a manifest's weights read back are the same bits.
     */
    private static double[] classWeights(Settings v, String key, boolean ratios) {
        String allowed = TaskSpec.weightsAllowed(ratios);
        double[] w;
        if (v.has(key)) {
            w = v.reals(key, DEFAULT_CLASSES, allowed);
            double sum = 0;
            for (double x : w) {
                if (!(x > 0)) throw v.bad(key, "a weight is not positive", allowed);
                sum += x;
            }
            if (!ratios && Math.abs(sum - 1) > 1e-3) throw v.bad(key, "sums to " + sum, allowed);
            if (Math.abs(sum - 1) > 1e-12)
                for (int r = 0; r < w.length; r++) w[r] /= sum;
            if (v.has("m")) {
                long m = v.integer("m", w.length, 1, ModelSpec.MAX_M);
                if (m != w.length)
                    throw v.bad("m", "disagrees with the " + w.length + " weights of " + v.label(key),
                            w.length + ", or leave m out");
            }
        } else if (v.has("m")) {
            w = equalWeights((int) v.integer("m", 2, 1, ModelSpec.MAX_M));
        } else {
            w = DEFAULT_CLASSES.clone();
        }
        return w;
    }

    /** Distinct dataset labels, each a class the dataset has. */
    private static int[] imageClasses(Settings v) {
        int classes = TaskSpec.DATASET_CLASSES;
        String allowed = "distinct integers from 0 to " + (classes - 1) + ", at least one";
        double[] given = v.reals("classes", new double[]{0, 1}, allowed);
        int[] out = new int[given.length];
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int r = 0; r < given.length; r++) {
            double x = given[r];
            if (x != Math.rint(x) || x < 0 || x >= classes || !seen.add((int) x))
                throw v.bad("classes", "not " + allowed.replace(", at least one", ""), allowed);
            out[r] = (int) x;
        }
        return out;
    }

    private static double[] equalWeights(int m) {
        double[] w = new double[m];
        Arrays.fill(w, 1.0 / m);
        return w;
    }

    /** One step size for every group, or one per group W1..WL, a. */
    private static float[] eta(Settings v, int L) {
        String allowed = etaAllowed(L + 1);
        double[] given = v.reals("eta", new double[]{DEFAULT_ETA}, allowed);
        if (given.length != 1 && given.length != L + 1)
            throw v.bad("eta", given.length + " values for " + (L + 1) + " groups", allowed);
        float[] eta = new float[L + 1];
        for (int g = 0; g <= L; g++) {
            float x = (float) given[given.length == 1 ? 0 : g];
            if (!(x > 0) || !Float.isFinite(x)) throw v.bad("eta", "a step size is not positive", allowed);
            eta[g] = x;
        }
        return eta;
    }

    /** One friction for every group, or one per group W1..WL, a; only underdamped Langevin has one. */
    private static float[] friction(Settings v, int L, String algorithm) {
        if (v.has("friction") && !algorithm.equals("uld"))
            throw v.bad("friction", "applies to --sampler uld only", "leave it out with --sampler " + algorithm);
        String allowed = "1 or " + (L + 1) + " numbers > 0, one per group";
        double[] given = v.reals("friction", new double[]{SamplerSpec.DEFAULT_FRICTION}, allowed);
        if (given.length != 1 && given.length != L + 1)
            throw v.bad("friction", given.length + " values for " + (L + 1) + " groups", allowed);
        float[] f = new float[given.length];
        for (int g = 0; g < f.length; g++) {
            f[g] = (float) given[g];
            if (!(f[g] > 0) || !Float.isFinite(f[g])) throw v.bad("friction", "a friction is not positive", allowed);
        }
        return f;
    }

    /** What --eta takes for a network of the given number of parameter groups. */
    static String etaAllowed(int groups) {
        StringBuilder sb = new StringBuilder();
        for (int g = 1; g < groups; g++) sb.append('W').append(g).append(',');
        return AUTO + ", or 1 or " + groups + " numbers > 0, one per group " + sb.append('a');
    }

    private static Path outDir(Settings v) {
        Path out;
        String label;
        if (v.has("out")) {
            if (v.has("name"))
                throw SpecException.input(v.label("name") + " " + v.raw("name") + " conflicts with " + v.label("out")
                        + " " + v.raw("out"), "choose one", "one of the two");
            if (v.raw("out").isBlank()) throw v.bad("out", "empty", OUT_ALLOWED);
            try {
                out = Path.of(v.raw("out"));
            } catch (InvalidPathException e) {
                throw v.bad("out", "not a path", OUT_ALLOWED);
            }
            label = v.label("out") + " " + out;
        } else if (v.has("name")) {
            String name = v.raw("name");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
                throw v.bad("name", "not a plain name", "letters, digits, '.', '_' and '-', not starting with '.' or '-'");
            out = Path.of("runs", name);
            label = v.label("name") + " " + name + ": run directory " + out;
        } else {
            out = defaultOutDir(LocalDateTime.now());
            label = "run directory " + out;
        }
        try {
            OutputDir.checkUsable(out);
        } catch (SpecException e) {
            throw e.named(label);
        }
        return out;
    }

    /** runs/&lt;date-time&gt;, with a counter when two runs start in the same second. */
    public static Path defaultOutDir(LocalDateTime now) {
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = Path.of("runs", stamp);
        for (int k = 2; java.nio.file.Files.exists(out); k++) out = Path.of("runs", stamp + "-" + k);
        return out;
    }

    // ---------------------------------------------------------------- RunConfig -> settings

    /**
     * The settings of a run, flat and with every default filled in, under the keys a config file
     * uses: manifest.json's {@code parameters}, which {@code --config} takes back unchanged and
     * which then make the same run. Where the run goes ({@code out}) and how it shows progress are
     * not parameters of the run; they are recorded elsewhere in the manifest.
     */
    public static ObjectNode parameters(RunConfig c) {
        ObjectNode p = Json.object();
        ModelSpec m = c.model();
        TaskSpec t = c.task();
        SamplerSpec s = c.sampler();
        p.put("L", m.L());
        p.put("N", m.N());
        p.put("N0", m.N0());
        p.put("m", m.m());
        p.put("phi", m.phi().id());
        p.put("scaling", m.scaling().id());
        p.put("beta0", m.beta0());
        p.put("beta_scaling", m.betaScaling() ? "on" : "off");
        p.put("sigma_w2", m.sigmaW2());
        p.put("sigma_a2", c.sigmaA2PerP() ? givenPerP(m.sigmaA2(), t.P()) : m.sigmaA2());
        p.put("sigma_a2_per_P", c.sigmaA2PerP());

        p.put("task", t.kind());
        p.put("P", t.P());
        p.put("Ptest", t.Ptest());
        if (t.isImages()) {
            p.set("classes", Json.ints(t.classes()));
            p.put("draw", t.balanced() ? "balanced" : "random");
            p.put("center", t.center() ? "on" : "off");
            p.put("normalize", t.normalize() ? "on" : "off");
            p.put("pixel_scale", t.pixelScale());
            if (t.dataDir() != null) p.put("data_dir", t.dataDir().toString());
        } else {
            p.set(t.fixedRatios() ? "class_ratios" : "class_probs", Json.doubles(t.classWeights()));
            p.put("test_overlap", t.testOverlap());
        }
        p.put("y_plus", t.yPlus());
        p.put("y_minus", t.yMinus());
        p.put("data_seed", t.dataSeed());

        p.put("sampler", s.algorithm());
        if (s.autoEta()) {
            p.put("eta", AUTO);
        } else {
            ArrayNode eta = p.putArray("eta");
            for (float e : s.eta()) eta.add(e);
        }
        p.put("chains", s.chains());
        p.put("steps", s.steps());
        p.put("burn_in", s.burnIn());
        p.put("every", s.every());
        p.put("keep", s.keepDraws());
        if (s.algorithm().equals("uld")) {
            ArrayNode friction = p.putArray("friction");
            for (float f : s.friction()) friction.add(f);
        }
        // the seed is a 32-bit unsigned word: record the value the user gave, not its signed form
        p.put("seed", Integer.toUnsignedLong(s.seed()));
        p.put("init", s.init());

        BackendSpec b = c.backend();
        p.put("backend", b.kind());
        p.put("threads", b.threads());
        if (b.devices() != null) p.set("devices", Json.ints(b.devices()));
        else p.put("device", b.device());
        p.put("precision", b.precision());
        p.put("rng", b.rng());
        p.put("on_divergence", c.options().onDivergence());
        return p;
    }

    /** What follows from a run's settings: β, γ, the absolute σ_a², the number of draws, the parameter groups. */
    public static ObjectNode derived(RunConfig c) {
        ModelSpec m = c.model();
        ObjectNode d = Json.object();
        d.put("beta", m.beta());
        d.put("gamma", m.gamma());
        d.put("sigma_a2_absolute", m.sigmaA2());
        d.put("draws", c.sampler().draws());
        ArrayNode groups = d.putArray("groups");
        for (int g = 0; g < m.groups(); g++) groups.add(m.groupName(g));
        return d;
    }

    /** Where the run writes, how it shows progress, when it checkpoints: settings of the invocation, not of the run. */
    public static ObjectNode output(RunConfig c) {
        ObjectNode o = Json.object();
        o.put("out", c.outDir().toString());
        o.put("progress", c.progress());
        o.put("checkpoint_every", c.options().checkpoints().text());
        o.put("strict", c.options().strict());
        return o;
    }

    /**
     * The σ_a² a user would give per P for the absolute value a: a·P, nudged by an ulp where
     * needed so that dividing it by P again gives a's very bits.
     */
    static double givenPerP(double a, int P) {
        double g = a * P;
        for (int k = 0; k < 4 && g / P != a; k++) g = g / P < a ? Math.nextUp(g) : Math.nextDown(g);
        return g;
    }

    /**
     * Where a recorded run runs now: its recorded machine settings, with those given anew on top
     * (a resumed run may move to other threads, another GPU, or between CPU and GPU).
     */
    public static BackendSpec machine(JsonNode parameters, String where, Settings given) {
        Settings v = new Settings();
        for (Setting s : MACHINE_SETTINGS) {
            JsonNode n = parameters.get(s.fileKey());
            if (n != null && !n.isNull()) v.put(s.key(), Settings.text(s.fileKey() + " (in " + where + ")", n), s.fileKey() + " (in " + where + ")");
        }
        if (given != null) {
            // a device given anew replaces the recorded devices, and devices the recorded device
            if (given.has("device") && v.has("devices")) v.remove("devices");
            if (given.has("devices") && v.has("device")) v.remove("device");
            // moving to the CPU leaves the GPU's own settings behind (TF32 products, which GPUs)
            if (given.has("backend") && given.raw("backend").trim().equals("cpu"))
                for (String k : new String[]{"precision", "device", "devices"}) if (!given.has(k)) v.remove(k);
            for (String k : given.keys()) v.put(k, given.raw(k), given.label(k));
        }
        return backend(v);
    }

    /** The settings a manifest's {@code parameters} block holds, labelled as coming from that file. */
    public static Settings fromParameters(JsonNode parameters, String where) {
        Settings v = new Settings();
        v.putJson(parameters, where, all(), where);
        return v;
    }
}
