package org.nnpost.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.function.BiFunction;

import org.nnpost.backend.BackendException;
import org.nnpost.backend.BackendSpec;
import org.nnpost.output.Version;
import org.nnpost.run.Interrupts;
import org.nnpost.run.Progress;
import org.nnpost.run.RunConfig;
import org.nnpost.run.RunResult;
import org.nnpost.run.SampleRun;
import org.nnpost.spec.NnpostException;
import org.nnpost.study.StudyChanged;

/**
 * The {@code nnpost} command. Every way out is an exit code: 0 done, 1 internal error (or standard
 * output that cannot be written), 2 bad input, 3 diverged, 4 convergence warnings under --strict,
 * 5 a file that could not be written, 130/143 interrupted; every failure is one line on stderr,
 * with a stack trace only when NNPOST_DEBUG is set.
 */
public final class Main {
    private Main() {}

    static final int OK = 0, INTERNAL = 1;

    public static void main(String[] args) {
        Interrupts.install();
        Stdout out = Stdout.create();
        int code = run(args, out, System.err);
        out.flush();
        System.exit(code);
    }

    /** The whole command in-process: returns the exit code; output and errors go to the streams given. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, SampleRun::execute);
    }

    static int run(String[] args, PrintStream out, PrintStream err, BiFunction<RunConfig, Progress, RunResult> runner) {
        String command = args.length == 0 ? "" : args[0];
        String who = java.util.Set.of("sample", "resume", "status", "theory", "reproduce", "sweep", "plot", "export", "report", "bench", "devices").contains(command)
                ? "nnpost " + command : "nnpost";
        // sample and resume keep what they show in RUN_DIR/run.log (RunLog): the streams are teed
        // from here, so the error line this method prints is in the log too
        RunLog log = command.equals("sample") || command.equals("resume") ? new RunLog(String.join(" ", prepend("nnpost", args))) : null;
        int code;
        try {
            code = command(command, args, log == null ? out : log.tee(out), log == null ? err : log.tee(err), runner, who);
        } finally {
            if (log != null) log.close();
        }
        // a PrintStream swallows write errors: output that never arrived (a full disk, a closed
        // pipe) must not end as success. A command that failed already said why, in its own code.
        if (out.checkError() && code == OK) {
            err.println(who + ": cannot write to standard output (" + Flags.oneLine(Stdout.failureOf(out)) + ")");
            return INTERNAL;
        }
        return code;
    }

    private static int command(String command, String[] args, PrintStream out, PrintStream err,
                               BiFunction<RunConfig, Progress, RunResult> runner, String who) {
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "sample":
                    return SampleCommand.run(rest, out, err, System.console() != null, runner);
                case "resume":
                    return ResumeCommand.run(rest, out, err, System.console() != null);
                case "status":
                    return StatusCommand.run(rest, out);
                case "bench":
                    return BenchCommand.run(rest, out);
                case "theory":
                    return TheoryCommand.run(rest, out);
                case "reproduce":
                    return ReproduceCommand.run(rest, out, err, System.console() != null);
                case "sweep":
                    return SweepCommand.run(rest, out, err, System.console() != null);
                case "plot":
                    return PlotCommand.run(rest, out);
                case "export":
                    return ExportCommand.run(rest, out);
                case "report":
                    return ReportCommand.run(rest, out);
                case "devices":
                    return DevicesCommand.run(rest, out);
                case "", "help", "-h", "--help":
                    out.print(usage());
                    return OK;
                case "version", "-V", "--version":
                    out.println("nnpost " + version() + " (Java " + System.getProperty("java.version") + ")");
                    return OK;
                default:
                    throw new UsageException("unknown command \"" + command + "\" (allowed: sample, resume, status, theory, reproduce, sweep, plot, export, report, bench, devices; see nnpost --help)");
            }
        } catch (UsageException e) {
            err.println(who + ": " + Flags.oneLine(e.getMessage()));
            return NnpostException.BAD_INPUT;
        } catch (StudyChanged e) {
            // one line, then what changed, one line each
            err.println(who + ": " + e.line());
            for (String c : e.changes()) err.println("  " + c);
            return e.exitCode();
        } catch (BackendException e) {
            err.println(who + ": " + Flags.oneLine(words(e)));
            debug(e, err);
            return e.exitCode();
        } catch (NnpostException e) {
            err.println(who + ": " + Flags.oneLine(e.getMessage()));
            debug(e, err);
            return e.exitCode();
        } catch (OutOfMemoryError e) {
            err.println(who + ": out of memory (" + Flags.oneLine(e.getMessage())
                    + "); give Java more with NNPOST_JAVA_OPTS=-Xmx<size>, or use fewer chains");
            return INTERNAL;
        } catch (Throwable e) {
            err.println(who + ": internal error: " + e.getClass().getSimpleName() + ": " + Flags.oneLine(e.getMessage())
                    + " (set NNPOST_DEBUG=1 for the stack trace)");
            debug(e, err);
            return INTERNAL;
        }
    }

    private static String[] prepend(String first, String[] rest) {
        String[] a = new String[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    private static void debug(Throwable e, PrintStream err) {
        String d = System.getenv("NNPOST_DEBUG");
        if (d != null && !d.isEmpty() && !d.equals("0")) e.printStackTrace(err);
    }

    static String version() { return Version.get(); }

    /** A backend that cannot be made, said in the flags that asked for it, with what to do instead. */
    static String words(BackendException e) {
        BackendSpec q = e.request();
        int[] devices = q.devices();
        boolean split = devices != null && devices.length >= 2;
        String asked = split ? "--devices " + Arrays.toString(devices)
                : q.kind().equals("auto") && q.curand() ? "--rng curand" : "--backend " + q.kind();
        return switch (e.reason()) {
            case NO_GPU -> split ? "--devices: no usable GPU (" + e.detail() + "); leave --devices out to run on the CPU"
                    : q.kind().equals("cuda") ? "--backend cuda: no usable GPU (" + e.detail() + "); use --backend cpu or auto"
                    : "--rng curand: needs the GPU backend and no usable GPU was found (" + e.detail() + "); use --rng philox";
            case GPU_FAILED -> asked + ": the GPU backend could not start (" + e.detail() + ")"
                    + (split ? "" : q.kind().equals("cuda") ? "; use --backend cpu or auto" : "; use --rng philox");
            case TOO_LARGE -> "--chains " + e.chains() + (split ? " on " + devices.length + " devices" : "") + ": " + e.detail();
            case TOO_FEW_CHAINS -> "--devices: " + devices.length + " devices for " + e.chains()
                    + " chains (allowed: at most as many devices as chains)";
            case SPLIT_WITH_CURAND -> "--devices with --rng curand: each GPU would seed its own cuRAND stream, so the chains "
                    + "would not draw what one GPU draws; use one device, or --rng philox";
            case CPU_GEMM -> e.detail();
        };
    }

    static String usage() {
        return "Usage: nnpost <command> [flags]\n"
                + "\n"
                + "Samples the Bayesian weight posterior of wide fully connected networks with batched\n"
                + "Langevin dynamics over many independent chains (docs/SPEC.md says what it computes).\n"
                + "\n"
                + "Commands\n"
                + "  sample      sample one posterior and write a run directory (no flags: the default job)\n"
                + "  resume      go on with a run that was interrupted, killed or crashed, from its last checkpoint\n"
                + "  status      where a run directory stands: running (rate, time left), abandoned, interrupted, ...\n"
                + "  theory      the theory's numbers for the same flags, without sampling\n"
                + "  reproduce   a figure of the paper (fig1..fig5): runs, panels (PNG) and numbers beside theory\n"
                + "  sweep       a study: many runs over a grid of settings and seeds, restartable and shardable,\n"
                + "              one table (sweep.csv) with theory beside every point; sweep collect, sweep plot\n"
                + "  plot        panels (PNG or SVG) and theory comparison of a finished run directory\n"
                + "  report      one self-contained page (report.html) of a finished run: settings, diagnostics, panels\n"
                + "  export      a finished run as an ArviZ InferenceData store (Zarr) with named dimensions\n"
                + "  bench       chain-steps per second of a preset network on one backend\n"
                + "  devices     the GPUs the CUDA backend can see\n"
                + "\n"
                + "Other\n"
                + "  --help      this text; nnpost <command> --help lists a command's flags\n"
                + "  --version   the version\n"
                + "\n"
                + "Exit codes: 0 done, 1 internal error or standard output not writable, 2 bad input,\n"
                + "3 chains diverged, 4 convergence warnings with --strict (the run completed; its directory\n"
                + "is whole), 5 a file could not be written (disk full: the run's outputs so far and last\n"
                + "checkpoint are kept), 130 and 143 interrupted by SIGINT and SIGTERM (a checkpoint is\n"
                + "written; nnpost resume goes on).\n";
    }
}
