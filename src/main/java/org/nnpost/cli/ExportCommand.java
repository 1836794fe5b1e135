package org.nnpost.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import org.nnpost.analysis.ExportRun;

/** {@code nnpost export RUN_DIR [--format zarr] [--out STORE]}: a finished run as ArviZ InferenceData. */
final class ExportCommand {
    private ExportCommand() {}

    static String usage() {
        return "Usage: nnpost export RUN_DIR [--format zarr] [--out STORE]\n"
                + "\n"
                + "Writes a finished run as an ArviZ InferenceData store (Zarr v2) that az.from_zarr(STORE) and\n"
                + "xr.open_zarr(STORE, group=...) open with named dimensions: posterior (readout weights a and the\n"
                + "activations of the kept draws: chain, draw, neuron, output/train_input/test_input), sample_stats\n"
                + "(lp = -potential, loss, squared norms, diverging, MALA acceptance), observed_data and constant_data\n"
                + "(the task), with the manifest's settings as attributes. docs/OUTPUTS.md lists every variable.\n"
                + "\n"
                + "  --format zarr    the store's format; netcdf is refused with the reason and the one-line conversion\n"
                + "  --out STORE      where to write it (default RUN_DIR/export.zarr); it must not exist\n"
                + "\n"
                + "The run is checked as nnpost plot checks it; a damaged or unfinished directory ends with one line\n"
                + "naming the file (exit code 2).\n";
    }

    static int run(String[] args, PrintStream out) {
        String dir = null, format = ExportRun.ZARR;
        Path store = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.print(usage());
                    return 0;
                }
                case "--format", "--out" -> {
                    if (i + 1 >= args.length) throw new UsageException(a + " needs a value (see nnpost export --help)");
                    String v = args[++i];
                    if (a.equals("--format")) format = v;
                    else store = Path.of(v);
                }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("unknown flag " + a + " (allowed: --format, --out; see nnpost export --help)");
                    if (dir != null) throw new UsageException("needs exactly one run directory (allowed: nnpost export RUN_DIR [--format zarr] [--out STORE])");
                    dir = a;
                }
            }
        }
        if (dir == null) throw new UsageException("needs a run directory (allowed: nnpost export RUN_DIR [--format zarr] [--out STORE])");
        ExportRun.Result r = ExportRun.execute(Path.of(dir), format, store);
        out.println(r.text());
        return 0;
    }
}
