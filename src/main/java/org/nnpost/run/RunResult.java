package org.nnpost.run;

import java.nio.file.Path;

/**
 * Where a finished run put its outputs and the few numbers the CLI prints at the end.
 *
 * @param coding the coding scheme seen in the kept draws and why, or null when not measured
 */
public record RunResult(Path dir, String status, String backend, long steps, long draws, double seconds,
                        double meanLoss, double trainError, double testError, double maxRhat, double minEssBulk,
                        String coding) {
}
