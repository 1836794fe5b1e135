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
            if (RunLock.state(dir) == RunLock.State.HELD) throw bad(dir, "is in use by another run" + RunLock.holderText(dir));
            try (Stream<Path> entries = Files.list(dir)) {
                // a lock file alone is what a run killed at its very start leaves: the directory is free
                if (entries.anyMatch(p -> !p.getFileName().toString().equals(RunLock.FILE)))
                    throw bad(dir, "exists and is not empty; choose a new directory");
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

    /**
     * Makes the run directory (and its parents) and returns it. A directory named by the clock
     * ({@code fresh}) that another run took in the meantime gives way to the next free name,
     * DIR-2, DIR-3, …, so that default names never collide; each is made by one atomic
     * create, which only one process can win. A named one may exist if empty: the lock decides.
     */
    public static Path claim(Path dir, boolean fresh) {
        Path parent = dir.toAbsolutePath().getParent();
        try {
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw bad(dir, "cannot be created (" + reason(e) + ")");
        }
        if (!fresh) return create(dir);
        for (int k = 1; k < 10_000; k++) {
            Path p = k == 1 ? dir : dir.resolveSibling(dir.getFileName() + "-" + k);
            try {
                Files.createDirectory(p);
                return p;
            } catch (FileAlreadyExistsException e) {
                // taken by a run that started in the same second: try the next name
            } catch (IOException e) {
                throw bad(p, "cannot be created (" + reason(e) + ")");
            }
        }
        throw bad(dir, "and 9999 names after it are taken");
    }

    /** Refuses a directory that holds anything but the named file (its lock). */
    public static void checkOnly(Path dir, String allowed) {
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals(allowed)))
                throw bad(dir, "exists and is not empty; choose a new directory");
        } catch (IOException e) {
            throw bad(dir, "cannot be read (" + reason(e) + ")");
        }
    }

    /**
     * Removes what a process killed in the middle of writing left in a run directory: the
     * temporary files of atomic writes (dot-names ending in .partial). Only for a directory whose
     * lock the caller holds, so that no live writer owns them.
     */
    public static void removeLeftovers(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith(".") && f.endsWith(".partial") && Files.isRegularFile(p)) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw bad(dir, "cannot be cleaned (" + reason(e) + ")");
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
