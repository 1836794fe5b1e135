package org.nnpost.cli;

import static org.nnpost.cli.Flags.flag;
import static org.nnpost.cli.Flags.toggle;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;

import org.nnpost.backend.BackendSpec;
import org.nnpost.data.DataException;
import org.nnpost.data.Datasets;
import org.nnpost.output.OutputDir;
import org.nnpost.run.RunSettings;
import org.nnpost.run.Settings;
import org.nnpost.study.Reproduce;
import org.nnpost.study.ReproduceFigure;

/**
 * {@code nnpost reproduce fig1|…|fig5}: the paper's figures at its parameters (SPEC §8), or
 * shrunk by --scale, as ordinary sample runs plus panels and a text setting the measured
 * numbers beside theory. Each run's convergence warnings go to stderr, one line each after the
 * text, prefixed with the run's name; they do not change the exit code.
 */
final class ReproduceCommand {
    private ReproduceCommand() {}

    static final String WHAT = "Reproduction";

    static final Flags FLAGS = new Flags("reproduce", Flags.join(List.of(
            flag("scale", WHAT, "s", "1", "0 < s <= 1: N, P and N0 times s, rounded (P <= N0 on orthogonal data, class ratios kept)"),
            flag("steps", WHAT, "int", "10000 (fig2: 20000)", "steps per chain (burn-in 40%, a draw every (steps - burn-in)/10 steps, at most 20)"),
            flag("chains", WHAT, "int", "4", "independent chains per run"),
            flag("seed", WHAT, "int", "1", "sampler seed, 0 to 4294967295"),
            flag("data-dir", WHAT, "dir", "$NNPOST_DATA or ~/.cache/nnpost/datasets", "fig3: the datasets directory")),
            Flags.join(RunSettings.MACHINE_SETTINGS, List.of(
                    flag("out", RunSettings.OUTPUT, "dir", "runs/reproduce-<figure>-<date-time>", "output directory: new or empty"),
                    flag("progress", RunSettings.OUTPUT, "mode", "auto", "auto, bar, lines, off"),
                    toggle("print-study", RunSettings.OUTPUT, "print the figure's study (JSON) at these --scale, --steps, --chains "
                            + "and --seed, for nnpost sweep, and run nothing"),
                    toggle(Flags.HELP, RunSettings.OUTPUT, "this text")))));

    static String usage() {
        return FLAGS.usage("nnpost reproduce fig1|fig2|fig3|fig4|fig5 [flags]",
                "Runs a figure of van Meegen & Sompolinsky (2025) at the captions' parameters (docs/SPEC.md\n"
                        + "section 8), one run directory per network, then writes its panels (PNG) and reproduction.txt /\n"
                        + "reproduction.json with the measured numbers beside theory. fig3 needs MNIST\n"
                        + "(scripts/fetch-datasets.sh mnist). At --scale 1 fig1, fig2, fig4 and fig5 are GPU-sized (fig3 takes\n"
                        + "about 8 minutes on two cores); --scale 0.1 takes under a minute per figure (docs/REPRODUCTION.md).\n"
                        + "The runs go as a study's (nnpost sweep): the same command again skips complete runs and resumes\n"
                        + "interrupted ones; --print-study prints the study, which nnpost sweep can run (in shards on SLURM)\n"
                        + "into the directory that reproduce then draws.");
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (args.length == 0)
            throw new UsageException("which figure? (allowed: fig1, fig2, fig3, fig4, fig5; see nnpost reproduce --help)");
        if (args[0].startsWith("-")) {
            Settings v = FLAGS.parse(args);
            if (Flags.isHelp(v)) {
                out.print(usage());
                return 0;
            }
            throw new UsageException("the figure comes first (allowed: fig1, fig2, fig3, fig4, fig5; see nnpost reproduce --help)");
        }
        ReproduceFigure figure = ReproduceFigure.parse(args[0]);
        Settings v = FLAGS.parse(Arrays.copyOfRange(args, 1, args.length));
        if (Flags.isHelp(v)) {
            out.print(usage());
            return 0;
        }
        if (figure == null)
            throw new UsageException("unknown figure \"" + args[0] + "\" (allowed: fig1, fig2, fig3, fig4, fig5)");
        if (v.has("print-study") && v.switchValue("print-study")) {
            out.println(printStudy(figure, v).given().toPrettyString());
            return 0;
        }
        Reproduce.Request q = request(figure, v);
        // one display per run: a console display is done once finished, and each run finishes its own
        Reproduce.Result r = Reproduce.execute(q, () -> ConsoleProgress.create(q.progress(), out, terminal), out::println);
        out.println("reproduction written: " + r.dir());
        out.print(r.text());
        out.flush();
        for (Reproduce.RunWarning w : r.warnings())
            err.println("nnpost reproduce: warning: " + w.run() + ": " + w.warning().message());
        return 0;
    }

    /** The figure's study at the flags' scale, steps, chains and seed (no dataset or directory is looked at). */
    static org.nnpost.study.Study printStudy(ReproduceFigure figure, Settings v) {
        for (String k : v.keys())
            if (!List.of("scale", "steps", "chains", "seed", "print-study").contains(k))
                throw v.bad(k, "has no effect on the study", "--scale, --steps, --chains and --seed with --print-study; "
                        + "machine flags go to nnpost sweep");
        double scale = v.real("scale", 1);
        if (!(scale > 0 && scale <= 1)) throw v.bad("scale", "out of range", "a number s with 0 < s <= 1");
        return figure.study(scale, v.integer("steps", 0, 10, Long.MAX_VALUE / 2), (int) v.integer("chains", 4, 1, 1 << 16),
                v.integer("seed", 1, 0, 0xFFFF_FFFFL));
    }

    static Reproduce.Request request(ReproduceFigure figure, Settings v) {
        double scale = v.real("scale", 1);
        if (!(scale > 0 && scale <= 1)) throw v.bad("scale", "out of range", "a number s with 0 < s <= 1");
        long steps = v.integer("steps", 0, 10, Long.MAX_VALUE / 2);
        int chains = (int) v.integer("chains", 4, 1, 1 << 16);
        int seed = (int) v.integer("seed", 1, 0, 0xFFFF_FFFFL);
        BackendSpec backend = RunSettings.backend(v);
        String progress = v.choice("progress", "auto", RunSettings.PROGRESS);
        Path dataDir = null;
        if (figure == ReproduceFigure.FIG3) {
            dataDir = Datasets.directory(v.has("data-dir") ? v.raw("data-dir") : null);
            try {
                Datasets.check(dataDir, "mnist");
            } catch (DataException e) {
                throw new UsageException("fig3 needs MNIST: " + e.getMessage());
            }
        } else if (v.has("data-dir")) {
            throw v.bad("data-dir", "only fig3 reads a dataset", "leave it out for " + figure.id);
        }
        Path out = outDir(v, figure);
        return new Reproduce.Request(figure, scale, out, seed, backend, steps, chains, dataDir, progress);
    }

    private static Path outDir(Settings v, ReproduceFigure figure) {
        if (v.has("out")) {
            if (v.raw("out").isBlank()) throw v.bad("out", "empty", OutputDir.ALLOWED);
            try {
                return Path.of(v.raw("out"));
            } catch (InvalidPathException e) {
                throw v.bad("out", "not a path", OutputDir.ALLOWED);
            }
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path out = Path.of("runs", "reproduce-" + figure.id + "-" + stamp);
        for (int k = 2; Files.exists(out); k++) out = Path.of("runs", "reproduce-" + figure.id + "-" + stamp + "-" + k);
        return out;
    }
}
