package org.nnpost.run;

import org.nnpost.spec.NnpostException;

/** A run that cannot go on: its chains diverged, or a run directory cannot be used. */
public final class RunException extends NnpostException {
    public RunException(int exitCode, String message) {
        super(exitCode, message);
    }
}
