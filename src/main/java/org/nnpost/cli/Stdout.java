package org.nnpost.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;

/**
 * Standard output for the command line: a PrintStream, as the commands expect, that also keeps
 * the first write error. A PrintStream swallows its errors and only says that one happened
 * ({@link PrintStream#checkError}); this one can also say which ("No space left on device",
 * "Broken pipe"), for the line that ends the command.
 */
final class Stdout extends PrintStream {
    private final Recorder recorder;

    private Stdout(Recorder recorder, Charset charset) {
        super(new BufferedOutputStream(recorder, 8192), true, charset);
        this.recorder = recorder;
    }

    /** The process's standard output, in the encoding Java would give System.out. */
    static Stdout create() {
        String enc = System.getProperty("sun.stdout.encoding");
        Charset cs;
        try {
            cs = enc != null ? Charset.forName(enc) : Charset.defaultCharset();
        } catch (IllegalArgumentException e) {
            cs = Charset.defaultCharset();
        }
        return new Stdout(new Recorder(new FileOutputStream(FileDescriptor.out)), cs);
    }

    /** What the first failed write said, or null when none failed. */
    String failure() {
        IOException e = recorder.first;
        if (e == null) return null;
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Why a stream's writes failed, as far as it can tell. */
    static String failureOf(PrintStream out) {
        String why = out instanceof Stdout s ? s.failure() : null;
        return why != null ? why : "a write failed";
    }

    /** Passes writes on, keeping the first IOException before it rethrows it. */
    private static final class Recorder extends FilterOutputStream {
        volatile IOException first;

        Recorder(OutputStream out) { super(out); }

        @Override public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw keep(e);
            }
        }

        @Override public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw keep(e);
            }
        }

        private IOException keep(IOException e) {
            if (first == null) first = e;
            return e;
        }
    }
}
