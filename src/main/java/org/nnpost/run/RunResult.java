package org.nnpost.run;

import java.nio.file.Path;
import java.util.List;

import org.nnpost.diagnostics.Warning;

/**
 * Where a finished run put its outputs and the few numbers the CLI prints at the end.
 *
 * @param coding   the coding scheme seen in the kept draws and why, or null when not measured
 * @param warnings the convergence warnings of summary.json, in its order; empty when every check passed
 */
public record RunResult(Path dir, String status, String backend, long steps, long draws, double seconds,
                        double meanLoss, double trainError, double testError, double maxRhat, double minEssBulk,
                        String coding, List<Warning> warnings) {

    public RunResult {
        warnings = List.copyOf(warnings);
    }

    /** A run without warnings. */
    public RunResult(Path dir, String status, String backend, long steps, long draws, double seconds,
                     double meanLoss, double trainError, double testError, double maxRhat, double minEssBulk,
                     String coding) {
        this(dir, status, backend, steps, draws, seconds, meanLoss, trainError, testError, maxRhat, minEssBulk, coding,
                List.of());
    }
}
