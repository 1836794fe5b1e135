package org.nnpost.cli;

import static org.nnpost.cli.Flags.flag;
import static org.nnpost.cli.Flags.toggle;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import org.nnpost.backend.cuda.CudaOptions;
import org.nnpost.data.DataException;
import org.nnpost.data.Datasets;
import org.nnpost.data.TaskSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunResult;
import org.nnpost.sampler.SamplerSpec;

/**
 * {@code nnpost sample}: one posterior, many chains. Turns flags and an optional config file
 * into a checked {@link RunConfig}, runs it and prints where the outputs went.
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
final class SampleCommand {
    private SampleCommand() {}

    static final String NETWORK = "Network (SPEC section 1)";
    static final String POSTERIOR = "Posterior (SPEC section 2)";
    static final String TASK = "Task (SPEC section 5): random classification of orthogonal data, or images";
    static final String SAMPLER = "Langevin sampler (SPEC section 3)";
    static final String RUN = "Run";

    static final double[] DEFAULT_CLASSES = {0.5, 0.5};
    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    static final Flags FLAGS = new Flags("sample", List.of(
            flag("L", NETWORK, "int", "1", "hidden layers; 0 is a linear readout of the input"),
            flag("N", NETWORK, "int", "64", "hidden width"),
            flag("N0", NETWORK, "int", "64", "input dimension"),
            flag("m", NETWORK, "int", "number of class weights", "outputs, one per class; alone: m equally likely classes"),
            flag("phi", NETWORK, "name", "relu", "nonlinearity: linear, erf, relu, tanh"),
            flag("scaling", NETWORK, "name", "meanfield", "meanfield (gamma = 1, non-lazy) or lazy (gamma = 1/2)"),

            flag("beta0", POSTERIOR, "x", "10", "inverse temperature before width scaling"),
            flag("beta-scaling", POSTERIOR, "on|off", "on", "on: beta = beta0 N^(2 gamma - 1); off: beta = beta0"),
            flag("sigma-w2", POSTERIOR, "x", "1", "prior variance of the hidden weights"),
            flag("sigma-a2", POSTERIOR, "x", "1", "prior variance of the readout weights"),
            toggle("sigma-a2-per-P", POSTERIOR, "the given sigma-a2 is divided by P"),

            flag("task", TASK, "name", "orthogonal", "orthogonal, mnist, fashion-mnist or cifar10 (see scripts/fetch-datasets.sh)"),
            flag("P", TASK, "int", "64", "training inputs (at most N0 on the orthogonal task)"),
            flag("Ptest", TASK, "int", "64", "test inputs"),
            flag("class-probs", TASK, "list", "0.5,0.5", "class probabilities; labels drawn i.i.d."),
            flag("class-ratios", TASK, "list", null, "class proportions with fixed counts, e.g. 0.5,0.25,0.25"),
            flag("y-plus", TASK, "x", "1", "target of the true class"),
            flag("y-minus", TASK, "x", "-1", "target of the other classes"),
            flag("test-overlap", TASK, "x", "0.5", "cosine between a test input and the training input it is built on"),
            flag("data-seed", TASK, "int", "1", "seed of the data, apart from the sampler's"),
            flag("classes", TASK, "list", "0,1", "images: dataset labels to keep, in the order of the new labels"),
            flag("draw", TASK, "name", "balanced", "images: balanced (equal counts per class) or random"),
            flag("center", TASK, "on|off", "on", "images: subtract the training mean pixel"),
            flag("normalize", TASK, "on|off", "on", "images: scale every input to |x|^2 = N0"),
            flag("pixel-scale", TASK, "x", "1", "images: value of a 255 pixel before centring"),
            flag("data-dir", TASK, "dir", "$NNPOST_DATA or ~/.cache/nnpost/datasets", "images: the datasets directory"),

            flag("sampler", SAMPLER, "name", "ula", "ula (unadjusted) or mala (Metropolis-adjusted)"),
            flag("eta", SAMPLER, "x[,x...]", "0.005", "step size: one value, or one per group W1..WL,a"),
            flag("chains", SAMPLER, "int", "4", "independent chains C"),
            flag("steps", SAMPLER, "int", "10000", "steps per chain"),
            flag("burn-in", SAMPLER, "int", "4000, at most steps/2", "steps before the first kept draw"),
            flag("every", SAMPLER, "int", "20, at most (steps - burn-in)/10", "a draw is kept every this many steps after burn-in"),
            flag("keep", SAMPLER, "int", "10", "draws whose readout weights and activations are saved"),
            flag("seed", SAMPLER, "int", "1", "sampler seed, 0 to 4294967295"),

            flag("backend", RUN, "name", "auto", "cpu, cuda or auto (cuda when a usable GPU is found)"),
            flag("threads", RUN, "int", "all cores", "CPU threads; results do not depend on it"),
            flag("device", RUN, "int", "0", "GPU to run on (see nnpost devices)"),
            flag("devices", RUN, "list", null, "GPUs to split the chains across, e.g. 0,1: the same numbers as one GPU"),
            flag("precision", RUN, "name", "fp32", "fp32, or tf32 (GPU only: tensor-core GEMMs, about 3 digits in the products)"),
            flag("rng", RUN, "name", "philox", "noise generator: philox (ours, as on the CPU), or curand (GPU only: "
                    + "cuRAND's generator, to check that results do not hinge on ours; same statistics, other draws)"),
            flag("out", RUN, "dir", "runs/<name>", "run directory: new or empty"),
            flag("name", RUN, "name", "date and time", "run name, for the default run directory"),
            flag("progress", RUN, "mode", "auto", "auto (a bar on a terminal, else lines), bar, lines, off"),
            flag(Flags.CONFIG, RUN, "file", null, "JSON file with the same keys, e.g. {\"N\": 200, \"eta\": [0.01, 0.001]}; flags override it"),
            toggle(Flags.HELP, RUN, "this text")));

    static String usage() {
        return FLAGS.usage("nnpost sample [flags]",
                "Samples the weight posterior of a fully connected network with Langevin dynamics over C\n"
                        + "independent chains and writes a run directory (manifest.json, .npy arrays, summary.json).\n"
                        + "With no flags it runs the default job below, about half a minute on two cores.");
    }

    /** Parses and checks the arguments of {@code nnpost sample} into a run request. */
    static RunConfig parse(String... args) {
        return config(FLAGS.parse(args));
    }

    /** Runs the command; returns the exit code for a finished run, throws for anything else. */
    static int run(String[] args, PrintStream out, boolean terminal, BiFunction<RunConfig, Progress, RunResult> runner) {
        Flags.Values v = FLAGS.parse(args);
        if (v.isHelp()) {
            out.print(usage());
            return 0;
        }
        RunConfig cfg = config(v);
        RunResult r;
        try (ConsoleProgress progress = ConsoleProgress.create(cfg.progress(), out, terminal)) {
            r = runner.apply(cfg, progress);
        }
        out.println(summary(cfg, r));
        return 0;
    }

    static String summary(RunConfig cfg, RunResult r) {
        String coding = r.coding() == null ? "" : String.format(Locale.ROOT, "%n  coding %s", r.coding());
        return String.format(Locale.ROOT, "run %s: %s%n"
                        + "  backend %s, %d chains, %d steps, %d draws, %.1f s%n"
                        + "  mean loss %s, train error %s, test error %s, max R-hat %s, min bulk ESS %s",
                r.status(), r.dir(), r.backend(), cfg.sampler().chains(), r.steps(), r.draws(), r.seconds(),
                ConsoleProgress.num(r.meanLoss()), ConsoleProgress.num(r.trainError()),
                ConsoleProgress.num(r.testError()), ConsoleProgress.num(r.maxRhat()), ConsoleProgress.num(r.minEssBulk()))
                + coding;
    }

    static RunConfig config(Flags.Values v) {
        // network
        int L = (int) v.integer("L", 1, 0, 100);
        int N = (int) v.integer("N", 64, 1, Integer.MAX_VALUE);
        int N0 = (int) v.integer("N0", 64, 1, Integer.MAX_VALUE);   // image tasks: the pixel count
        Phi phi = Phi.parse(v.choice("phi", "relu", "linear", "erf", "relu", "tanh"));
        Scaling scaling = Scaling.parse(v.choice("scaling", "meanfield", "meanfield", "lazy"));

        // posterior
        double beta0 = v.positive("beta0", 10);
        boolean betaScaling = switch (v.choice("beta-scaling", "on", "on", "off", "true", "false")) {
            case "on", "true" -> true;
            default -> false;
        };
        double sigmaW2 = v.positive("sigma-w2", 1);
        double sigmaA2 = v.positive("sigma-a2", 1);
        boolean perP = v.switchValue("sigma-a2-per-P");

        // task
        String kind = v.choice("task", "orthogonal", "orthogonal", "mnist", "fashion-mnist", "cifar10");
        boolean images = !kind.equals("orthogonal");
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
        if (!images && P > N0)
            throw v.bad("P", "larger than N0 = " + N0, "P <= N0, as the task's inputs are orthogonal");
        boolean fixedRatios = v.has("class-ratios");
        if (fixedRatios && v.has("class-probs"))
            throw new UsageException(v.label("class-probs") + " " + v.raw("class-probs") + " conflicts with "
                    + v.label("class-ratios") + " " + v.raw("class-ratios") + " (allowed: one of the two)");
        int[] classes = images ? imageClasses(v, kind) : null;
        double[] classWeights = images ? equalWeights(classes.length) : classWeights(v, fixedRatios ? "class-ratios" : "class-probs", fixedRatios);
        if (images && v.has("m") && v.integer("m", classes.length, 1, 1_000_000) != classes.length)
            throw v.bad("m", "disagrees with the " + classes.length + " classes of " + v.label("classes"),
                    classes.length + ", or leave m out");
        int m = classWeights.length;
        double yPlus = v.real("y-plus", 1);
        double yMinus = v.real("y-minus", -1);
        double testOverlap = v.between("test-overlap", 0.5, 0, 1);
        long dataSeed = v.integer("data-seed", 1, 0, Long.MAX_VALUE);
        boolean balanced = v.choice("draw", "balanced", "balanced", "random").equals("balanced");
        boolean center = onOff(v, "center");
        boolean normalize = onOff(v, "normalize");
        double pixelScale = v.positive("pixel-scale", 1);
        Path dataDir = images ? Datasets.directory(v.has("data-dir") ? v.raw("data-dir") : null) : null;
        if (images) {
            try {
                Datasets.check(dataDir, kind);
            } catch (DataException e) {
                throw new UsageException((v.has("data-dir") ? v.label("data-dir") + " " + v.raw("data-dir") + ": " : "")
                        + e.getMessage());
            }
        }

        // sampler
        String algorithm = v.choice("sampler", "ula", "ula", "mala");
        float[] eta = eta(v, L);
        int chains = (int) v.integer("chains", 4, 1, Integer.MAX_VALUE);
        long steps = v.integer("steps", 10000, 1, Long.MAX_VALUE / 2);
        long burnIn = v.integer("burn-in", Math.min(4000, steps / 2), 0, Long.MAX_VALUE);
        if (burnIn >= steps)
            throw v.bad("burn-in", "not below steps = " + steps, "0 to " + (steps - 1));
        int every = (int) v.integer("every", Math.max(1, Math.min(20, (steps - burnIn) / 10)), 1, Integer.MAX_VALUE);
        if (every > steps - burnIn)
            throw v.bad("every", "leaves no draw after burn-in", "1 to steps - burn-in = " + (steps - burnIn));
        long draws = (steps - burnIn) / every;
        int keep = (int) v.integer("keep", Math.min(10, draws), 0, Math.min(draws, Integer.MAX_VALUE));
        int seed = (int) v.integer("seed", 1, 0, 0xFFFF_FFFFL);

        // run
        String backend = v.choice("backend", "auto", "cpu", "cuda", "auto");
        int threads = (int) v.integer("threads", Runtime.getRuntime().availableProcessors(), 1, 4096);
        String progress = v.choice("progress", "auto", "auto", "bar", "lines", "off");
        CudaOptions cuda = cudaOptions(v, backend);
        int[] devices = devices(v, backend);

        double sigmaA2Abs = perP ? sigmaA2 / P : sigmaA2;
        ModelSpec model = new ModelSpec(L, N, N0, m, phi, scaling, beta0, betaScaling, sigmaW2, sigmaA2Abs);
        checkArraySizes(v, model, chains, P, Ptest);
        TaskSpec task = new TaskSpec(kind, N0, P, Ptest, classWeights, fixedRatios, yPlus, yMinus,
                testOverlap, dataSeed, classes, balanced, center, normalize, pixelScale, dataDir);
        SamplerSpec sampler = new SamplerSpec(algorithm, eta, chains, steps, burnIn, every, keep, seed);
        // last, so that no directory question is asked of a request that is wrong anyway
        Path outDir = outDir(v);
        return new RunConfig(model, task, sampler, backend, threads, outDir, perP, progress, cuda, devices);
    }

    /** Class weights from a list, or m equal ones; m must agree with a list when both are given. */
    private static double[] classWeights(Flags.Values v, String key, boolean ratios) {
        String allowed = ratios ? "numbers > 0, one per class" : "probabilities > 0 summing to 1, one per class";
        double[] w;
        if (v.has(key)) {
            w = v.reals(key, DEFAULT_CLASSES, allowed);
            double sum = 0;
            for (double x : w) {
                if (!(x > 0)) throw v.bad(key, "a weight is not positive", allowed);
                sum += x;
            }
            if (!ratios && Math.abs(sum - 1) > 1e-3) throw v.bad(key, "sums to " + sum, allowed);
            for (int r = 0; r < w.length; r++) w[r] /= sum;
            if (v.has("m")) {
                long m = v.integer("m", w.length, 1, 1_000_000);
                if (m != w.length)
                    throw v.bad("m", "disagrees with the " + w.length + " weights of " + v.label(key),
                            w.length + ", or leave m out");
            }
        } else if (v.has("m")) {
            int m = (int) v.integer("m", 2, 1, 1_000_000);
            w = new double[m];
            java.util.Arrays.fill(w, 1.0 / m);
        } else {
            w = DEFAULT_CLASSES.clone();
        }
        return w;
    }

    /**
     * --device, --precision and --rng; TF32 and cuRAND are GPU features, so asking for them on the
     * CPU is an error.
     */
    static CudaOptions cudaOptions(Flags.Values v, String backend) {
        boolean tf32 = v.choice("precision", "fp32", "fp32", "tf32").equals("tf32");
        if (tf32 && backend.equals("cpu"))
            throw v.bad("precision", "needs the GPU backend", "fp32 with --backend cpu; tf32 with --backend cuda or auto");
        boolean curand = v.choice("rng", "philox", "philox", "curand").equals("curand");
        if (curand && backend.equals("cpu"))
            throw v.bad("rng", "needs the GPU backend", "philox with --backend cpu; curand with --backend cuda or auto");
        int device = (int) v.integer("device", 0, 0, 1023);
        CudaOptions d = CudaOptions.DEFAULT;
        return new CudaOptions(device, tf32, d.graphs(), d.vectorReadout(), d.transposedGemms(), curand);
    }

    /** --devices: GPU indices (one may repeat: its parts then share that GPU); exclusive with --device. */
    static int[] devices(Flags.Values v, String backend) {
        if (!v.has("devices")) return null;
        String allowed = "GPU indices from 0 to 1023, e.g. 0,1";
        if (v.has("device"))
            throw new UsageException(v.label("device") + " " + v.raw("device") + " conflicts with " + v.label("devices")
                    + " " + v.raw("devices") + " (allowed: one of the two)");
        if (backend.equals("cpu")) throw v.bad("devices", "needs the GPU backend", "--backend cuda or auto");
        double[] given = v.reals("devices", new double[0], allowed);
        int[] d = new int[given.length];
        for (int k = 0; k < given.length; k++) {
            double x = given[k];
            if (x != Math.rint(x) || x < 0 || x > 1023) throw v.bad("devices", "not " + allowed, allowed);
            d[k] = (int) x;
        }
        return d;
    }

    /** Distinct dataset labels, each a class the dataset has. */
    private static int[] imageClasses(Flags.Values v, String kind) {
        int classes = 10;   // MNIST, Fashion-MNIST and CIFAR-10 all have ten
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
        java.util.Arrays.fill(w, 1.0 / m);
        return w;
    }

    private static boolean onOff(Flags.Values v, String key) {
        return switch (v.choice(key, "on", "on", "off", "true", "false")) {
            case "on", "true" -> true;
            default -> false;
        };
    }

    /** One step size for every group, or one per group W1..WL, a. */
    private static float[] eta(Flags.Values v, int L) {
        String allowed = "1 or " + (L + 1) + " numbers > 0, one per group " + groupNames(L);
        double[] given = v.reals("eta", new double[]{0.005}, allowed);
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

    private static String groupNames(int L) {
        StringBuilder sb = new StringBuilder();
        for (int g = 1; g <= L; g++) sb.append('W').append(g).append(',');
        return sb.append('a').toString();
    }

    /** Every per-run array is a Java array: refuse sizes past its 2³¹ limit before any allocation. */
    private static void checkArraySizes(Flags.Values v, ModelSpec model, int chains, int P, int Ptest) {
        for (int g = 0; g < model.groups(); g++) {
            long n = (long) chains * model.groupSize(g);
            if (n > MAX_ARRAY)
                throw v.bad("chains", "C x " + model.groupName(g) + " = " + n + " floats, past Java's array limit",
                        "C * (largest layer) < 2^31; fewer chains or a smaller network");
        }
        long widest = Math.max(model.N0(), model.N());
        if ((long) P * widest > MAX_ARRAY || (long) P * P > MAX_ARRAY)
            throw v.bad("P", "too large for one array", "P * max(N, N0) < 2^31");
        if ((long) Ptest * widest > MAX_ARRAY || (long) Ptest * Ptest > MAX_ARRAY)
            throw v.bad("Ptest", "too large for one array", "Ptest * max(N, N0) < 2^31");
    }

    static final String OUT_ALLOWED = "a new or empty directory that can be written";

    private static Path outDir(Flags.Values v) {
        Path out;
        if (v.has("out")) {
            if (v.has("name"))
                throw new UsageException(v.label("name") + " " + v.raw("name") + " conflicts with " + v.label("out")
                        + " " + v.raw("out") + " (allowed: one of the two)");
            try {
                out = Path.of(v.raw("out"));
            } catch (InvalidPathException e) {
                throw v.bad("out", "not a path", OUT_ALLOWED);
            }
            if (v.raw("out").isBlank()) throw v.bad("out", "empty", OUT_ALLOWED);
        } else if (v.has("name")) {
            String name = v.raw("name");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
                throw v.bad("name", "not a plain name", "letters, digits, '.', '_' and '-', not starting with '.' or '-'");
            out = Path.of("runs", name);
        } else {
            out = defaultOutDir(LocalDateTime.now());
        }
        checkWritable(v, out);
        return out;
    }

    /** runs/&lt;date-time&gt;, with a counter when two runs start in the same second. */
    static Path defaultOutDir(LocalDateTime now) {
        String stamp = now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = Path.of("runs", stamp);
        for (int k = 2; Files.exists(out); k++) out = Path.of("runs", stamp + "-" + k);
        return out;
    }

    private static void checkWritable(Flags.Values v, Path out) {
        String label = (v.has("out") ? v.label("out") : v.has("name") ? v.label("name") + " " + v.raw("name") + ": run directory" : "run directory")
                + " " + out;
        if (Files.exists(out)) {
            if (!Files.isDirectory(out))
                throw new UsageException(label + ": exists and is not a directory (allowed: " + OUT_ALLOWED + ")");
            try (DirectoryStream<Path> d = Files.newDirectoryStream(out)) {
                if (d.iterator().hasNext())
                    throw new UsageException(label + ": is not empty (allowed: " + OUT_ALLOWED + ")");
            } catch (IOException e) {
                throw new UsageException(label + ": cannot be listed (allowed: " + OUT_ALLOWED + ")");
            }
            if (!Files.isWritable(out))
                throw new UsageException(label + ": is not writable (allowed: " + OUT_ALLOWED + ")");
            return;
        }
        Path p = out.toAbsolutePath().getParent();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null || !Files.isDirectory(p))
            throw new UsageException(label + ": cannot be created, " + p + " is not a directory (allowed: " + OUT_ALLOWED + ")");
        if (!Files.isWritable(p))
            throw new UsageException(label + ": cannot be created, " + p + " is not writable (allowed: " + OUT_ALLOWED + ")");
    }
}
