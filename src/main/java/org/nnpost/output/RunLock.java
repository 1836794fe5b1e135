package org.nnpost.output;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nnpost.io.Json;
import org.nnpost.spec.SpecException;

/**
 * One run per directory: an exclusive lock on the directory's {@value #FILE}, held for the run's
 * whole life, so two runs started together into one directory cannot both write it. The lock is
 * the operating system's (fcntl), released when the process ends however it ends, even by
 * kill -9: a directory whose manifest says "running" while nobody holds its lock was abandoned.
 * The file also names the holder (pid, host, start time) for the message a second run gets.
 */
public final class RunLock implements AutoCloseable {
    public static final String FILE = ".lock";
    /** Bytes the lock file holds in reserve for the last writes of a run that finds the disk full. */
    static final int RESERVE = 1 << 16;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final ObjectNode holder;

    private RunLock(Path file, FileChannel channel, FileLock lock, ObjectNode holder) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /** Who holds the lock: pid, host, start time. */
    public ObjectNode holder() { return holder.deepCopy(); }

    /**
     * Takes the lock of an existing directory, or fails with one line naming the directory and
     * the process that holds it.
     *
     * @param name how messages name the directory (--out DIR, or the directory itself)
     */
    public static RunLock claim(Path dir, String name) {
        // a run that ends deletes the file; a claimant that opened it just before may then lock
        // a file no longer in the directory, so each claim checks that the file it locked is the
        // one the directory names (by a token written into it) and tries again if not
        for (int attempt = 0; ; attempt++) {
            RunLock l = tryClaim(dir, name);
            if (l != null) return l;
            if (attempt >= 20) throw SpecException.input(name, "cannot be locked (its lock file keeps changing)",
                    "a directory no running run writes");
        }
    }

    private static RunLock tryClaim(Path dir, String name) {
        Path file = dir.resolve(FILE);
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;   // this very process holds it: another run in the same JVM
            }
            if (lock == null) {
                String who = describe(read(file));
                ch.close();
                throw SpecException.input(name, "is in use by another run" + who, "a directory no running run writes");
            }
            ObjectNode holder = Json.object();
            holder.put("pid", ProcessHandle.current().pid());
            holder.put("host", host());
            holder.put("started", Instant.now().toString());
            String token = Long.toHexString(System.nanoTime()) + Long.toHexString(Double.doubleToLongBits(Math.random()));
            ObjectNode written = holder.deepCopy().put("token", token);
            byte[] bytes = (written.toString() + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(bytes), 0);
            // padding that holds disk space in reserve: on a full disk, giving it back lets the
            // run still write that it failed (see releaseReserve)
            ByteBuffer pad = ByteBuffer.allocate(RESERVE);
            for (int i = 0; i < RESERVE; i++) pad.put((byte) ' ');
            pad.flip();
            ch.write(pad, bytes.length);
            ch.force(true);
            JsonNode there = read(file);
            if (there == null || !token.equals(there.path("token").asText())) {
                lock.release();
                ch.close();
                return null;
            }
            return new RunLock(file, ch, lock, holder);
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the failure below is the one to report
                }
            }
            throw SpecException.input(name, "cannot be locked (" + e.getMessage() + ")", "a directory this user can write");
        }
    }

    /** Gives back the disk space held in reserve, for the writes that record a failure on a full disk. */
    public void releaseReserve() {
        try {
            channel.truncate(Math.min(channel.size(), 1024));
            channel.force(true);
        } catch (IOException e) {
            // nothing more can be freed
        }
    }

    /** What a directory's lock says now, without taking it for longer than a look. */
    public enum State { FREE, HELD }

    /**
     * Whether a live process holds the directory's lock (it is running the run), by trying to
     * take the lock and letting it go at once.
     */
    public static State state(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return State.FREE;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            try {
                FileLock l = ch.tryLock();
                if (l == null) return State.HELD;
                l.release();
                return State.FREE;
            } catch (OverlappingFileLockException e) {
                return State.HELD;
            }
        } catch (IOException e) {
            return State.FREE;
        }
    }

    /** The holder the lock file names, or null. */
    public static JsonNode read(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8).trim();
            int nl = s.indexOf('\n');
            if (nl >= 0) s = s.substring(0, nl).trim();
            return s.isEmpty() ? null : Json.parse(s);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** " (pid P on HOST, since T)" for the holder a directory's lock file names, or "". */
    public static String holderText(Path dir) { return describe(read(dir.resolve(FILE))); }

    private static String describe(JsonNode h) {
        if (h == null) return "";
        return " (pid " + h.path("pid").asText("?") + " on " + h.path("host").asText("?") + ", since "
                + h.path("started").asText("?") + ")";
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String h = System.getenv("HOSTNAME");
            return h != null ? h : "unknown";
        }
    }

    /** Removes the lock file, then lets the lock go (a claimant that races this sees the file gone, and retries). */
    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a lock file left behind is harmless: nobody holds its lock
        }
        try {
            if (lock.isValid()) lock.release();
            channel.close();
        } catch (IOException e) {
            // the process is about to let it go anyway
        }
    }
}
