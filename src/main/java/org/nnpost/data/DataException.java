package org.nnpost.data;

import org.nnpost.spec.NnpostException;

/** A dataset file that is missing, truncated or corrupt: one line naming the file and the fault. */
public final class DataException extends NnpostException {
    public DataException(String message) { super(BAD_INPUT, message); }
}
