package org.nnpost.cli;

/**
 * A bad input caught at the edge: a flag, a value, a config file or an output directory. Its
 * message is one line naming the input, the value and what is allowed; the process exits with 2.
 */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message, null, false, false);
    }
}
