package org.nnpost.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that a reader sees either nothing or the whole of it: the bytes go to a
 * temporary name in the same directory (same file system, so the rename is atomic), are forced
 * to disk, and only then renamed. A crash leaves at most a dot-file ending in {@value #TMP_SUFFIX}.
 */
public final class AtomicFile {
    private AtomicFile() {}

    /** Temporary files end in this suffix (and start with a dot), so they are easy to spot. */
    public static final String TMP_SUFFIX = ".partial";

    /** What writes the file's contents. */
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    public static void write(Path target, Writer writer) {
        Path tmp = temporaryFor(target);
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                // a writer that closes its stream must not close the channel before it is forced
                OutputStream out = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                    @Override public void write(byte[] b, int off, int len) throws IOException { this.out.write(b, off, len); }
                    @Override public void close() throws IOException { flush(); }
                }, 1 << 16);
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            commit(tmp, target);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** A fresh temporary name next to target: ".name.&lt;random&gt;.partial". */
    static Path temporaryFor(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String name = "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TMP_SUFFIX;
        return dir.resolve(name);
    }

    /** Renames an already forced temporary file onto its target, then syncs the directory entry. */
    static void commit(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes the rename itself durable where the platform allows opening a directory (Linux, macOS). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not possible on this platform; the rename is still atomic, only its durability is weaker
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort: the name marks it as partial anyway
        }
    }
}
