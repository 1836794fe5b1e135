package org.nnpost.output;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.nnpost.spec.SpecException;

/** The run directory: must be new or empty, and writable; created with its parents. */
public final class OutputDir {
    private OutputDir() {}

    /** Refuses a directory that holds anything, before any work is done. */
    public static void checkUsable(Path dir) {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir))
            throw bad(dir, "exists and is not a directory; choose a new directory");
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent())
                throw bad(dir, "exists and is not empty; choose a new directory");
        } catch (IOException e) {
            throw bad(dir, "cannot be read (" + reason(e) + ")");
        }
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
