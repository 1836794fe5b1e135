package org.nnpost.run;

import java.nio.file.Path;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.TaskSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.sampler.SamplerSpec;
import org.nnpost.spec.Check;
import org.nnpost.spec.SpecException;

/**
 * One `nnpost sample` request: the network, the task, the sampler, where the chains run and
 * where the outputs go. Each part checks itself when made; this record adds the rules between
 * them (the task's input dimension and classes are the network's, one step size per group,
 * arrays within Java's limits), so a run made by any path (flags, a config file, a figure
 * recipe, a test) has passed the same checks ({@link SpecException}).
 *
 * @param options     where the run writes, checkpoints, what divergence and warnings do
 * @param sigmaA2PerP true when the user gave σ_a² per P (recorded; model holds the absolute value)
 */
public record RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, BackendSpec backend,
                        RunOptions options, boolean sigmaA2PerP) {

    public RunConfig {
        Check.that(model.N0() == task.N0(), "N0", model.N0(), "differs from the task's N0 = " + task.N0(),
                "the task's input dimension");
        Check.that(model.m() == task.m(), "m", model.m(), "differs from the task's " + task.m() + " classes",
                "one output per class");
        int groups = model.groups();
        Check.that(sampler.eta().length == groups, "eta", sampler.eta().length + " values",
                "for " + groups + " groups", RunSettings.etaAllowed(groups));
        checkArraySizes(model, sampler.chains(), task.P(), task.Ptest());
        if (sampler.theoryInit()) checkTheoryInit(model, task);
        Check.that(options != null, "out", null, "missing", RunSettings.OUT_ALLOWED);
    }

    /** A run with the default options into outDir. */
    public RunConfig(ModelSpec model, TaskSpec task, SamplerSpec sampler, BackendSpec backend, Path outDir,
                     boolean sigmaA2PerP, String progress) {
        this(model, task, sampler, backend, RunOptions.into(outDir, progress), sigmaA2PerP);
    }

    /** The run directory to create (must not exist, or be empty). */
    public Path outDir() { return options.outDir(); }

    /** "auto" (a bar on a terminal, lines otherwise), "bar", "lines" or "off". */
    public String progress() { return options.progress(); }

    /** The same run with other options (another directory, say). */
    public RunConfig with(RunOptions o) { return new RunConfig(model, task, sampler, backend, o, sigmaA2PerP); }

    /** The same run with another sampler spec (another start, say). */
    public RunConfig with(SamplerSpec s) { return new RunConfig(model, task, s, backend, options, sigmaA2PerP); }

    /** What --init theory needs: the networks and tasks the single-neuron theory covers (SPEC §7). */
    public static final String THEORY_INIT_ALLOWED = "prior; theory needs the orthogonal task, L = 1, --scaling meanfield"
            + " and, for erf, relu and tanh, m <= " + org.nnpost.theory.ReadoutDensity.MAX_RANK;

    static void checkTheoryInit(ModelSpec model, TaskSpec task) {
        String why = null;
        if (task.isImages()) why = "needs the orthogonal task, not --task " + task.kind();
        else if (model.L() != 1) why = "needs one hidden layer, not L = " + model.L();
        else if (model.scaling() != org.nnpost.model.Scaling.MEANFIELD) why = "needs the mean-field scaling, not " + model.scaling().id();
        else if (model.phi() != org.nnpost.model.Phi.LINEAR && model.m() > org.nnpost.theory.ReadoutDensity.MAX_RANK)
            why = "draws the readout of " + model.phi().id() + " networks for at most " + org.nnpost.theory.ReadoutDensity.MAX_RANK
                    + " classes, not m = " + model.m();
        Check.that(why == null, "init", SamplerSpec.INIT_THEORY, why, THEORY_INIT_ALLOWED);
    }

    /** Every per-run array is a Java array: refuse sizes past its 2³¹ limit before any allocation. */
    private static void checkArraySizes(ModelSpec model, int chains, int P, int Ptest) {
        for (int g = 0; g < model.groups(); g++) {
            long n = (long) chains * model.groupSize(g);
            Check.that(n <= RunSettings.MAX_ARRAY, "chains", chains,
                    "C x " + model.groupName(g) + " = " + n + " floats, past Java's array limit",
                    "C * (largest layer) < 2^31; fewer chains or a smaller network");
        }
        long widest = Math.max(model.N0(), model.N());
        Check.that((long) P * widest <= RunSettings.MAX_ARRAY && (long) P * P <= RunSettings.MAX_ARRAY,
                "P", P, "too large for one array", "P * max(N, N0) < 2^31");
        Check.that((long) Ptest * widest <= RunSettings.MAX_ARRAY && (long) Ptest * Ptest <= RunSettings.MAX_ARRAY,
                "Ptest", Ptest, "too large for one array", "Ptest * max(N, N0) < 2^31");
    }
}
