package org.nnpost.output;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.nnpost.spec.SpecException;

/**
 * The run directory: must be new or empty, and writable; created with its parents. Its checks
 * are made twice on purpose, in the same words: when a request is read (so a bad --out fails
 * before anything is computed) and when the run starts (the directory may have changed since).
 */
public final class OutputDir {
    private OutputDir() {}

    /** What --out accepts. */
    public static final String ALLOWED = "a new or empty directory that can be written";

    /** Refuses a directory that holds anything or cannot be made, before any work is done. */
    public static void checkUsable(Path dir) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) throw bad(dir, "exists and is not a directory; choose a new directory");
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) throw bad(dir, "exists and is not empty; choose a new directory");
            } catch (IOException e) {
                throw bad(dir, "cannot be read (" + reason(e) + ")");
            }
            if (!Files.isWritable(dir)) throw bad(dir, "is not writable; choose a directory you can write to");
            return;
        }
        Path p = dir.toAbsolutePath().getParent();
        while (p != null && !Files.exists(p)) p = p.getParent();
        if (p == null || !Files.isDirectory(p)) throw bad(dir, "cannot be created, " + p + " is not a directory");
        if (!Files.isWritable(p)) throw bad(dir, "cannot be created, " + p + " is not writable");
    }

    /** Creates the directory (and parents) and proves it writable by creating and removing a file. */
    public static Path create(Path dir) {
        checkUsable(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw bad(dir, "cannot be created (" + reason(e) + ")");
        }
        try {
            Path probe = Files.createTempFile(dir, ".probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw bad(dir, "is not writable (" + reason(e) + ")");
        }
        return dir;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileAlreadyExistsException) return "a file is in the way: " + e.getMessage();
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static SpecException bad(Path dir, String what) {
        return SpecException.of("out", dir, what, null);
    }
}
