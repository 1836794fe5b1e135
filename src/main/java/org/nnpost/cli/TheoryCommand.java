package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.analysis.RunTheory;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.run.TheoryRun;

/**
 * {@code nnpost theory}: the theory's numbers (NNGP kernels, lazy GP predictor, the non-lazy
 * linear mean-field theory) for the network and task that {@code nnpost sample} would run with
 * the same flags; sampler flags are accepted and ignored, so one command line serves both.
 */
final class TheoryCommand {
    private TheoryCommand() {}

    static String runUsage() {
        return "Usage: nnpost theory RUN_DIR [--out DIR]\n"
                + "\n"
                + "The theory of a finished run, from its manifest's settings and its own data files: NNGP kernels, the\n"
                + "lazy GP predictor, and the mean-field theory where it applies (linear networks with one hidden layer;\n"
                + "erf, ReLU and tanh with one hidden layer on the orthogonal task, at most 3 classes: readout density,\n"
                + "codes, U, F, K, PR/N and kurtosis; docs/SPEC.md section 7). Writes theory.json and .npy arrays into\n"
                + "the run directory, or into --out DIR (new or empty). nnpost plot then draws the theory on its panels.\n";
    }

    static int run(String[] args, PrintStream out) {
        if (args.length > 0 && !args[0].startsWith("-")) return runDir(args, out);
        Settings v = SampleCommand.FLAGS.parse(args);
        if (Flags.isHelp(v)) {
            out.print(SampleCommand.FLAGS.usage("nnpost theory [flags]",
                    "Computes, without sampling, what theory says about the posterior that `nnpost sample`\n"
                            + "with the same flags samples: NNGP kernels and the lazy GP predictor at T = 1/beta0, and\n"
                            + "for linear networks with one hidden layer in the mean-field scaling the non-lazy theory\n"
                            + "(docs/SPEC.md section 7), and for erf, ReLU and tanh on the orthogonal task the nonlinear one.\n"
                            + "Writes .npy arrays and theory.json; sampler flags are ignored.\n"
                            + "nnpost theory RUN_DIR [--out DIR] does the same for a finished run, from its own data."));
            return 0;
        }
        RunConfig cfg = RunSettings.config(v);
        TheoryRun.Result r = TheoryRun.execute(cfg);
        out.println("theory written: " + r.dir());
        out.print(r.text());
        return 0;
    }

    /** {@code nnpost theory RUN_DIR [--out DIR]}. */
    private static int runDir(String[] args, PrintStream out) {
        String dir = args[0], to = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.print(runUsage());
                return 0;
            }
            if (a.equals("--out")) {
                if (i + 1 >= args.length) throw new UsageException("--out needs a value (see nnpost theory --help)");
                to = args[++i];
            } else if (a.startsWith("-")) {
                throw new UsageException("unknown flag " + a + " after a run directory (allowed: nnpost theory RUN_DIR [--out DIR])");
            } else {
                throw new UsageException("needs exactly one run directory (allowed: nnpost theory RUN_DIR [--out DIR])");
            }
        }
        TheoryRun.Result r = RunTheory.execute(Path.of(dir), to == null ? null : Path.of(to));
        out.println("theory written: " + r.dir());
        out.print(r.text());
        return 0;
    }
}
