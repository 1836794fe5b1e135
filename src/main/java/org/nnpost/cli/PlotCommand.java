package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.analysis.PlotRun;

/** {@code nnpost plot RUN_DIR}: panels and theory comparison of a finished sample run. */
final class PlotCommand {
    private PlotCommand() {}

    static String usage() {
        return "Usage: nnpost plot RUN_DIR\n"
                + "\n"
                + "Draws the panels of a finished run directory (written by nnpost sample or nnpost reproduce) into it:\n"
                + "kernels per layer and activation rasters with inputs sorted by class, readout histograms, the mean\n"
                + "predictor against theory, test error per class and traces (PNG), and analysis.json with the numbers\n"
                + "beside the NNGP/GP theory and, for linear networks with one hidden layer, the mean-field theory.\n"
                + "\n"
                + "The run must be complete, and every file must be what its manifest.json says the run wrote (each\n"
                + "array whole, of its element type and shape); otherwise one line names the file and the fault (exit\n"
                + "code 2) and nothing is drawn.\n";
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.print(usage());
            return 0;
        }
        if (args.length != 1 || args[0].startsWith("-"))
            throw new UsageException("needs exactly one run directory (allowed: nnpost plot RUN_DIR; see nnpost plot --help)");
        PlotRun.Result r = PlotRun.execute(Path.of(args[0]));
        out.println("panels written: " + r.dir() + " (" + r.panels().size() + " PNG files, analysis.json)");
        out.print(r.text());
        return 0;
    }
}
