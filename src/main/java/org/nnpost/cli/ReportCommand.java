package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.analysis.RunReport;

/** {@code nnpost report RUN_DIR}: one self-contained page of a finished run. */
final class ReportCommand {
    private ReportCommand() {}

    static String usage() {
        return "Usage: nnpost report RUN_DIR\n"
                + "\n"
                + "Writes RUN_DIR/report.html, one self-contained page (images inline, nothing fetched) of a finished run:\n"
                + "backend, timings and warnings; the settings; every trace's mean, sd, MCSE, 94% HDI, R-hat and ESS; the\n"
                + "errors per class; the coding scheme with its evidence and reliability; theory beside sampling; and every\n"
                + "panel of nnpost plot (which it draws) with a caption saying what it shows. The run is checked as plot\n"
                + "checks it.\n";
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(usage());
            return 0;
        }
        if (args.length != 1 || args[0].startsWith("-"))
            throw new UsageException("needs exactly one run directory (allowed: nnpost report RUN_DIR; see nnpost report --help)");
        out.println(RunReport.execute(Path.of(args[0])).text());
        return 0;
    }
}
