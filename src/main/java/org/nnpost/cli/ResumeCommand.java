package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.nnpost.output.RunStatus;
import org.nnpost.run.RunResult;
import org.nnpost.run.RunSettings;
import org.nnpost.run.SampleRun;
import org.nnpost.run.Settings;

/**
 * {@code nnpost resume RUN_DIR}: goes on with a run that stopped before it was complete
 * (interrupted, killed, crashed, or out of disk space), from its last checkpoint, in its own
 * directory, with its own settings; only where it runs may change (the machine flags).
 */
final class ResumeCommand {
    private ResumeCommand() {}

    static final Flags FLAGS = new Flags("resume", Flags.join(RunSettings.MACHINE_SETTINGS, List.of(
            Flags.flag("progress", RunSettings.OUTPUT, "mode", "auto", "auto (a bar on a terminal, else lines), bar, lines, off"),
            Flags.toggle(Flags.HELP, RunSettings.OUTPUT, "this text"))));

    static String usage() {
        return FLAGS.usage("nnpost resume RUN_DIR [flags]",
                "Goes on with a run that stopped before it was complete (interrupted by SIGINT or SIGTERM, killed,\n"
                        + "crashed, or out of disk space) from its last checkpoint, in its own directory and with its own\n"
                        + "settings. On the CPU the finished run's arrays are the same bytes as an unbroken run's. The\n"
                        + "machine flags move it (other threads, another GPU, between CPU and GPU); by default it runs\n"
                        + "where it ran. See README, \"Long runs\".");
    }

    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (args.length >= 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(usage());
            return 0;
        }
        if (args.length == 0 || args[0].startsWith("-"))
            throw new UsageException("needs the run directory first (allowed: nnpost resume RUN_DIR [flags]; see nnpost resume --help)");
        Settings v = FLAGS.parse(Arrays.copyOfRange(args, 1, args.length));
        if (Flags.isHelp(v)) {
            out.print(usage());
            return 0;
        }
        String mode = v.choice("progress", "auto", RunSettings.PROGRESS);
        v.remove("progress");
        RunResult r;
        try (ConsoleProgress progress = ConsoleProgress.create(mode, out, terminal)) {
            r = SampleRun.resume(Path.of(args[0]), v, progress);
        }
        JsonNode m = RunStatus.of(r.dir()).manifest();
        out.println(SampleCommand.summary(r, m.path("parameters").path("chains").asInt()));
        out.flush();
        return SampleCommand.warn("resume", r, m.path("output").path("strict").asBoolean(), err);
    }
}
