package org.nnpost.run;

import java.nio.file.Path;

/** Where a finished run put its outputs and the few numbers the CLI prints at the end. */
public record RunResult(Path dir, String status, String backend, long steps, long draws, double seconds,
                        double meanLoss, double trainError, double testError, double maxRhat, double minEssBulk) {
}
