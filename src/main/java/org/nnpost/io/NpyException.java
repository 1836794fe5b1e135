package org.nnpost.io;

import java.nio.file.Path;

/**
 * An {@code .npy} file that cannot be read as one: missing, unreadable, not an {@code .npy} file,
 * a header that does not parse, or data that do not fill what the header promises (a truncated
 * file) or run past it. It names the file and says which, in one line, so that whoever asked
 * for the file (plot reading a run directory, a test) can pass it on as it is.
 *
 * <p>It is an {@link IllegalArgumentException} (the file given is not a valid argument) rather
 * than a {@code spec.NnpostException}: io sits beside spec, not above it, and does not know
 * whose file it reads. A reader that knows, such as {@code nnpost plot} for a run directory,
 * turns it into the user's error with an exit code.
 */
public final class NpyException extends IllegalArgumentException {
    /** What is wrong with the file. */
    public enum Problem {
        /** No file at the path. */
        MISSING,
        /** The file exists and cannot be read (permissions, a directory, an I/O error). */
        UNREADABLE,
        /** The file does not start with numpy's magic string. */
        NOT_NPY,
        /** The header (version, length, dict literal, descr, shape) does not parse. */
        BAD_HEADER,
        /** The file ends before the header or the data it describes. */
        TRUNCATED,
        /** The file holds bytes past the data its header describes. */
        TRAILING_DATA
    }

    private final Path file;
    private final Problem problem;
    private final String detail;

    NpyException(Path file, Problem problem, String detail) {
        super(file + ": " + detail, null);
        this.file = file;
        this.problem = problem;
        this.detail = detail;
    }

    /** The file, as it was asked for. */
    public Path file() { return file; }

    public Problem problem() { return problem; }

    /** What is wrong, without the file's name: "truncated: data has 80 bytes, shape (2, 5) and dtype <f8 need 80". */
    public String detail() { return detail; }
}
