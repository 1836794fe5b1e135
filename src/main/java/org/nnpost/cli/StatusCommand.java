package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.output.RunStatus;

/** {@code nnpost status RUN_DIR}: where a run stands (running with its rate and time left, abandoned, interrupted, ...). */
final class StatusCommand {
    private StatusCommand() {}

    static String usage() {
        return "Usage: nnpost status RUN_DIR\n"
                + "\n"
                + "Says where a run directory stands: running (the process, the step reached, steps/s and the time\n"
                + "left), abandoned (the manifest says running but no process holds the directory: it was killed or\n"
                + "crashed), interrupted, failed, diverged or complete; and how to resume a run that can be.\n";
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(usage());
            return 0;
        }
        if (args.length != 1 || args[0].startsWith("-"))
            throw new UsageException("needs exactly one run directory (allowed: nnpost status RUN_DIR; see nnpost status --help)");
        Path dir = Path.of(args[0]);
        out.println(RunStatus.of(dir).describe(dir));
        return 0;
    }
}
