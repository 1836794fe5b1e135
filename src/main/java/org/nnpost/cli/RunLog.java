package org.nnpost.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * RUN_DIR/run.log: what {@code sample} or {@code resume} showed on stdout and stderr for the run.
 * The command line owns the streams and the run claims its directory, so the two meet here: the
 * command's streams are teed into this log from its first line, held in memory until the run
 * names its directory ({@link org.nnpost.run.Progress#directory}), then written there and
 * appended to until the command ends, its error line included. {@code resume} appends under a
 * line of its own, so the log tells the whole life of a run. A terminal's progress bar redraws
 * itself in place; the log gets the plain progress lines instead. A log that cannot be written
 * never fails the run: it stops, and stderr says so once.
 */
final class RunLog implements AutoCloseable {
    static final String FILE = "run.log";

    private final String command;
    private final ByteArrayOutputStream early = new ByteArrayOutputStream();
    private OutputStream file;
    private boolean broken, closed;
    private PrintStream err;

    RunLog(String command) { this.command = command; }

    /** A stream that writes to {@code s} and to this log. */
    Tee tee(PrintStream s) { return new Tee(s, this); }

    /** A stream to the log alone (the plain progress lines that stand for a terminal's bar). */
    PrintStream only() {
        return new PrintStream(new OutputStream() {
            @Override public void write(int b) { RunLog.this.write(new byte[]{(byte) b}, 0, 1); }
            @Override public void write(byte[] b, int off, int len) { RunLog.this.write(b, off, len); }
        }, true, StandardCharsets.UTF_8);
    }

    /** The run's directory is known: the log goes there from now on, after what came before. */
    synchronized void open(Path dir, PrintStream errors) {
        if (file != null || closed) return;
        this.err = errors;
        try {
            file = Files.newOutputStream(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            file.write(("--- " + command + " (" + Instant.now() + ")\n").getBytes(StandardCharsets.UTF_8));
            early.writeTo(file);
            file.flush();
        } catch (IOException e) {
            fail(dir.resolve(FILE), e);
        }
        early.reset();
    }

    synchronized void write(byte[] b, int off, int len) {
        if (closed || broken) return;
        if (file == null) {
            early.write(b, off, len);
            return;
        }
        try {
            file.write(b, off, len);
            file.flush();
        } catch (IOException e) {
            fail(null, e);
        }
    }

    private void fail(Path f, IOException e) {
        broken = true;
        if (err != null) err.println("nnpost: warning: " + (f != null ? f : FILE) + " cannot be written (" + e.getMessage() + "); the run goes on without it");
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (file != null) {
            try {
                file.close();
            } catch (IOException ignored) {
                // the run's outputs are written; a log that fails to close loses at most its last line
            }
        }
    }

    /** A stream teed into a run log; {@link #raw} is the stream alone (for a bar that redraws in place). */
    static final class Tee extends PrintStream {
        final PrintStream raw;
        final RunLog log;

        Tee(PrintStream raw, RunLog log) {
            super(new OutputStream() {
                @Override public void write(int b) {
                    raw.write(b);
                    log.write(new byte[]{(byte) b}, 0, 1);
                }

                @Override public void write(byte[] b, int off, int len) {
                    raw.write(b, off, len);
                    log.write(b, off, len);
                }

                @Override public void flush() { raw.flush(); }
            }, true, StandardCharsets.UTF_8);
            this.raw = raw;
            this.log = log;
        }
    }
}
