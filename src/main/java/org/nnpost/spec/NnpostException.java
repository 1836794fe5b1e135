package org.nnpost.spec;

/**
 * A command that cannot go on for a reason the user can act on: a bad setting, a missing
 * dataset, no usable GPU, chains that diverged. Its message is one line that names the input and
 * what to do; the command line prints it and exits with {@link #exitCode()}. Anything else that
 * escapes is an internal error (exit code 1).
 */
public class NnpostException extends RuntimeException {
    /** Exit code for bad input: a flag, value, file or directory. */
    public static final int BAD_INPUT = 2;
    /** Exit code for chains that diverged (a step size too large for the posterior). */
    public static final int DIVERGED = 3;
    /**
     * Exit code of a run that completed with convergence warnings under --strict. No exception
     * carries it: the run finished and wrote everything; the command returns it after printing.
     */
    public static final int WARNINGS = 4;

    private final int exitCode;

    public NnpostException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public NnpostException(int exitCode, String message, Throwable cause) {
        super(message, cause, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() { return exitCode; }
}
