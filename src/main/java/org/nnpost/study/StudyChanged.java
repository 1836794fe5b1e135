package org.nnpost.study;

import java.nio.file.Path;
import java.util.List;

import org.nnpost.spec.NnpostException;

/**
 * A sweep's directory holds another study than the one given (a grid, the base, the seeds
 * changed): bad input, exit code 2. The command line prints {@link #line()} and then each change
 * on a line of its own; the message alone is all of it on one line.
 */
public final class StudyChanged extends NnpostException {
    private final String line;
    private final List<String> changes;

    StudyChanged(Path file, List<String> changes) {
        super(BAD_INPUT, file + ": the study differs from the one this directory holds (allowed: the same study, "
                + "to go on with it, or a new --out); what changed: " + String.join("; ", changes));
        this.line = file + ": the study differs from the one this directory holds (allowed: the same study, to go on with it, "
                + "or a new --out); what changed:";
        this.changes = List.copyOf(changes);
    }

    /** The first line, ending in "what changed:". */
    public String line() { return line; }

    /** What changed, one entry each ("grid.N: [50, 100] -> [50, 100, 200]"). */
    public List<String> changes() { return changes; }
}
