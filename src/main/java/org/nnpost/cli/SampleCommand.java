package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;

import org.nnpost.diagnostics.ConvergenceChecks;
import org.nnpost.diagnostics.Warning;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunResult;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.spec.NnpostException;
import org.nnpost.spec.SpecException;

/**
 * {@code nnpost sample}: one posterior, many chains. Its flags are the run's settings
 * ({@link RunSettings}, shared with config files and manifests) plus --config and --help; it
 * turns them into a checked {@link RunConfig}, runs it and prints where the outputs went.
 */
final class SampleCommand {
    private SampleCommand() {}

    /** The flag that adds the run's theory at its end; not a setting of the run (not in its manifest). */
    static final String THEORY = "theory";

    static final Flags FLAGS = new Flags("sample", Flags.join(RunSettings.all(), List.of(
            Flags.flag(Flags.CONFIG, RunSettings.OUTPUT, "file", null,
                    "JSON file with the same keys (underscores for dashes), e.g. {\"N\": 200, \"sigma_w2\": 2, \"eta\": [0.01, 0.001]}; "
                            + "flags override it; a run's manifest.json \"parameters\" is such a file"),
            Flags.toggle(THEORY, RunSettings.OUTPUT, "at the end of a complete run, also what nnpost theory RUN_DIR writes "
                    + "(theory.json and arrays, the nonlinear mean-field theory where it applies)"),
            Flags.toggle(Flags.HELP, RunSettings.OUTPUT, "this text"))));

    static String usage() {
        return FLAGS.usage("nnpost sample [flags]",
                "Samples the weight posterior of a fully connected network with Langevin dynamics over C\n"
                        + "independent chains and writes a run directory (manifest.json, .npy arrays, summary.json).\n"
                        + "With no flags it runs the default job below, about half a minute on two cores.");
    }

    /** Parses and checks the arguments of {@code nnpost sample} into a run request. */
    static RunConfig parse(String... args) {
        return RunSettings.config(FLAGS.parse(args));
    }

    /**
     * Runs the command; returns the exit code for a finished run, throws for anything else. The
     * summary goes to out, then each convergence warning to err as one line; with --strict a
     * warning makes the exit code {@link NnpostException#WARNINGS}, once everything is written.
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal,
                   BiFunction<RunConfig, Progress, RunResult> runner) {
        Settings v = FLAGS.parse(args);
        if (Flags.isHelp(v)) {
            out.print(usage());
            return 0;
        }
        RunConfig cfg = RunSettings.config(v);
        RunResult r;
        try (ConsoleProgress progress = ConsoleProgress.create(cfg.progress(), out, terminal)) {
            r = runner.apply(cfg, progress);
        } catch (SpecException e) {
            throw v.relabel(e);   // a setting the run found unusable, named as it was given
        }
        out.println(summary(cfg, r));
        if (v.has(THEORY) && v.switchValue(THEORY) && "complete".equals(r.status())) {
            org.nnpost.run.TheoryRun.Result t;
            try {
                t = org.nnpost.analysis.RunTheory.execute(r.dir(), null);
            } catch (NnpostException e) {
                // the run itself is whole; only what --theory added is missing, and the line says so
                out.flush();
                throw new NnpostException(e.exitCode(), "the run completed (" + r.dir() + "), but its theory could not be computed: "
                        + e.getMessage() + "; the run's files are all there (nnpost plot " + r.dir() + ")", e);
            }
            out.println("theory written: " + t.dir());
            out.print(t.text());
        }
        out.flush();
        return warn("sample", r, cfg.options().strict(), err);
    }

    /** Each convergence warning as one line on err; with --strict and any warning, exit code 4. */
    static int warn(String command, RunResult r, boolean strict, PrintStream err) {
        for (Warning w : r.warnings()) err.println("nnpost " + command + ": warning: " + w.message());
        if (strict && !r.warnings().isEmpty()) {
            err.println("nnpost " + command + ": --strict: " + r.warnings().size() + (r.warnings().size() == 1 ? " warning" : " warnings")
                    + ", exit code " + NnpostException.WARNINGS + " (the run completed: " + r.dir() + " is whole)");
            return NnpostException.WARNINGS;
        }
        return 0;
    }

    static String summary(RunConfig cfg, RunResult r) {
        return summary(r, cfg.sampler().chains());
    }

    static String summary(RunResult r, int chains) {
        String unreliable = ConvergenceChecks.reliability(r.warnings());
        String coding = r.coding() == null ? "" : String.format(Locale.ROOT, "%n  coding %s%s", r.coding(),
                unreliable == null ? "" : " (unreliable: " + unreliable + ")");
        return String.format(Locale.ROOT, "run %s: %s%n"
                        + "  backend %s, %d chains, %d steps, %d draws, %.1f s%n"
                        + "  mean loss %s, train error %s, test error %s, max R-hat %s, min bulk ESS %s",
                r.status(), r.dir(), r.backend(), chains, r.steps(), r.draws(), r.seconds(),
                ConsoleProgress.num(r.meanLoss()), ConsoleProgress.num(r.trainError()),
                ConsoleProgress.num(r.testError()), ConsoleProgress.num(r.maxRhat()), ConsoleProgress.num(r.minEssBulk()))
                + coding;
    }

    /** runs/&lt;date-time&gt;, with a counter when two runs start in the same second. */
    static Path defaultOutDir(LocalDateTime now) {
        return RunSettings.defaultOutDir(now);
    }
}
