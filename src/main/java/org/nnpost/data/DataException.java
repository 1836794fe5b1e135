package org.nnpost.data;

/** A dataset file that is missing, truncated or corrupt: one line naming the file and the fault. */
public final class DataException extends RuntimeException {
    public DataException(String message) { super(message); }
}
