package org.nnpost.analysis;

import java.nio.file.Path;

import org.nnpost.data.Dataset;
import org.nnpost.data.Task;
import org.nnpost.output.OutputDir;
import org.nnpost.output.RunLayout;
import org.nnpost.run.TheoryRun;
import org.nnpost.theory.TheoryNumbers;

/**
 * {@code nnpost theory RUN_DIR}: the theory of a finished run, from its manifest's settings and
 * its own data files (x_train.npy, y_train.npy and their test twins), written into the run
 * directory or into a fresh one. The run is checked as {@code nnpost plot} checks it.
 */
public final class RunTheory {
    private RunTheory() {}

    /** @param out where to write, or null for the run directory itself */
    public static TheoryRun.Result execute(Path dir, Path out) {
        if (out != null) OutputDir.checkUsable(out);
        PlotRun.Checked c = PlotRun.open(dir);
        Task task = task(c.files(), c.run().model().m(), dir);
        TheoryNumbers th = TheoryNumbers.of(c.run().model(), task);
        return TheoryRun.write(out == null ? dir : OutputDir.create(out), c.run(), task, th);
    }

    /** A run's own data, as it wrote them. */
    static Task task(RunFiles files, int m, Path dir) {
        return new Task(dir.toAbsolutePath().normalize().getFileName().toString(), dataset(files, false, m), dataset(files, true, m));
    }

    private static Dataset dataset(RunFiles files, boolean test, int m) {
        org.nnpost.io.Npy.Array x = files.array(RunLayout.inputs(test));
        return new Dataset((int) x.shape()[0], (int) x.shape()[1], m, x.floats(), files.labels(test, m),
                files.array(RunLayout.targets(test)).floats());
    }
}
