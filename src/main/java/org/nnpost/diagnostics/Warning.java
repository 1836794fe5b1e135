package org.nnpost.diagnostics;

/**
 * One convergence warning of a finished run ({@link ConvergenceChecks}): what failed, where,
 * by how much, and a one-line message that says what to do.
 *
 * @param code      stable name of the check: {@code draws}, {@code rhat}, {@code ess_bulk},
 *                  {@code ess_tail}, {@code acceptance} or {@code nonstationary}
 * @param trace     the trace concerned (potential, loss, sqnorm_W1, …), or null for a warning
 *                  about chains or the whole run
 * @param chains    the chains concerned, or null for a warning about a trace or the whole run
 * @param value     the number that failed (NaN when it is undefined, written null)
 * @param threshold the limit it was held to
 * @param message   one line, for a person
 */
public record Warning(String code, String trace, int[] chains, double value, double threshold, String message) {

    public static final String DRAWS = "draws", RHAT = "rhat", ESS_BULK = "ess_bulk", ESS_TAIL = "ess_tail",
            ACCEPTANCE = "acceptance", NONSTATIONARY = "nonstationary";

    public Warning {
        if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0)
            throw new IllegalArgumentException("a warning is one line: " + message);
        chains = chains == null ? null : chains.clone();
    }

    @Override
    public int[] chains() { return chains == null ? null : chains.clone(); }

    /** R̂ and ESS (and too few draws to compute them) say whether the draws represent the posterior. */
    public boolean aboutMixing() {
        return code.equals(DRAWS) || code.equals(RHAT) || code.equals(ESS_BULK) || code.equals(ESS_TAIL);
    }
}
