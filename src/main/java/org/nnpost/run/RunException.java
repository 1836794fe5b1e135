package org.nnpost.run;

/**
 * A run that cannot go on for a reason the user can act on (divergence, an unwritable
 * directory): one line of message, and the process's exit code.
 */
public final class RunException extends RuntimeException {
    /** Exit code for bad input: a flag, value, file or directory. */
    public static final int BAD_INPUT = 2;
    /** Exit code for chains that diverged (a step size too large for the posterior). */
    public static final int DIVERGED = 3;

    private final int exitCode;

    public RunException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
