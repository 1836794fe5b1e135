package org.nnpost.cli;

import java.io.PrintStream;

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

    static int run(String[] args, PrintStream out) {
        Settings v = SampleCommand.FLAGS.parse(args);
        if (Flags.isHelp(v)) {
            out.print(SampleCommand.FLAGS.usage("nnpost theory [flags]",
                    "Computes, without sampling, what theory says about the posterior that `nnpost sample`\n"
                            + "with the same flags samples: NNGP kernels and the lazy GP predictor at T = 1/beta0, and\n"
                            + "for linear networks with one hidden layer in the mean-field scaling the non-lazy theory\n"
                            + "(docs/SPEC.md section 7). Writes .npy arrays and theory.json; sampler flags are ignored."));
            return 0;
        }
        RunConfig cfg = RunSettings.config(v);
        TheoryRun.Result r = TheoryRun.execute(cfg);
        out.println("theory written: " + r.dir());
        out.print(r.text());
        return 0;
    }
}
