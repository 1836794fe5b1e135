package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.analysis.PlotRun;
import org.nnpost.report.Look;
import org.nnpost.spec.SpecException;

/** {@code nnpost plot RUN_DIR [--format png|svg] [--dpi N] [--size WxH]}: panels and theory comparison of a finished sample run. */
final class PlotCommand {
    private PlotCommand() {}

    static String usage() {
        return "Usage: nnpost plot RUN_DIR [--format png|svg] [--dpi N] [--size WxH]\n"
                + "\n"
                + "Draws the panels of a finished run directory (written by nnpost sample or nnpost reproduce) into it:\n"
                + "kernels per layer and activation rasters with inputs sorted by class, readout histograms, the mean\n"
                + "predictor against theory, test error per class, and per trace its trace, rank plot and\n"
                + "autocorrelation; and analysis.json with the numbers beside the NNGP/GP theory and, for one hidden layer\n"
                + "in the mean-field scaling, the mean-field theory (nonlinear phi: orthogonal task, m <= 3, drawn on the\n"
                + "readout, kernel, predictor and codes panels), and every panel's caption. A run whose chains diverged\n"
                + "gets its trace, rank and autocorrelation panels (the traces are where divergence shows).\n"
                + "\n"
                + "  --format png|svg   file format (default png; svg holds the panel as a 192-dpi image unless --dpi says)\n"
                + "  --dpi N            resolution: 96 is one pixel per CSS pixel (default), 300 for print (48 to 1200)\n"
                + "  --size WxH         a panel's size in CSS pixels (default " + Look.DEFAULT.width() + "x" + Look.DEFAULT.height() + ")\n"
                + "\n"
                + "The run must be complete (or diverged), and every file must be what its manifest.json says the run\n"
                + "wrote (each array whole, of its element type and shape); otherwise one line names the file and the\n"
                + "fault (exit code 2) and nothing is drawn.\n";
    }

    static int run(String[] args, PrintStream out) {
        String dir = null, format = "png", size = null;
        Integer dpi = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--format", "--dpi", "--size" -> {
                    if (i + 1 >= args.length) throw new UsageException(a + " needs a value (see nnpost plot --help)");
                    String v = args[++i];
                    if (a.equals("--format")) format = v;
                    else if (a.equals("--size")) size = v;
                    else {
                        try {
                            dpi = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw SpecException.of("dpi", v, "is not a whole number", "48 to 1200");
                        }
                    }
                }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown flag " + a + " (allowed: --format, --dpi, --size; see nnpost plot --help)");
                    if (dir != null) throw new UsageException("needs exactly one run directory (allowed: nnpost plot RUN_DIR; see nnpost plot --help)");
                    dir = a;
                }
            }
        }
        if (dir == null) throw new UsageException("needs exactly one run directory (allowed: nnpost plot RUN_DIR; see nnpost plot --help)");
        Look look = look(format, dpi, size);
        PlotRun.Result r = PlotRun.execute(Path.of(dir), look);
        out.println("panels written: " + r.dir() + " (" + r.panels().size() + " " + format.toUpperCase(java.util.Locale.ROOT)
                + " files, analysis.json)");
        out.print(r.text());
        return 0;
    }

    /** The look the flags ask for, each bad value named by its flag. */
    static Look look(String format, Integer dpi, String size) {
        if (!format.equals("png") && !format.equals("svg")) throw SpecException.of("format", format, "is not a panel format", "png, svg");
        int w = Look.DEFAULT.width(), h = Look.DEFAULT.height();
        if (size != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,5})[xX]([0-9]{1,5})").matcher(size);
            if (!m.matches()) throw SpecException.of("size", size, "is not WIDTHxHEIGHT", "e.g. 800x600, 200x150 to 4000x4000");
            w = Integer.parseInt(m.group(1));
            h = Integer.parseInt(m.group(2));
            if (w < 200 || h < 150 || w > 4000 || h > 4000) throw SpecException.of("size", size, "is out of range", "200x150 to 4000x4000");
        }
        int d = dpi != null ? dpi : format.equals("svg") ? 192 : 96;
        if (d < 48 || d > 1200) throw SpecException.of("dpi", d, "is out of range", "48 to 1200");
        return new Look(w, h, d, format);
    }
}
