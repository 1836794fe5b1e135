package org.nnpost.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An {@code .npy} array too large to hold in memory, filled piece by piece at any element
 * offset (draws arrive draw by draw, but the file is [chain, draw, …]). Made by
 * {@link #createFloat32} it lives under a temporary name until {@link #commit}, so an unfinished
 * array never looks whole; made by {@link #openFloat32} it is written in place, in a place that
 * says it is unfinished (a run's checkpoint directory), and survives the process so that a
 * resumed run can go on filling it.
 */
public final class NpyStream implements AutoCloseable {
    private final Path target, tmp;
    private final FileChannel channel;
    private final long dataStart, size;
    private ByteBuffer buffer = ByteBuffer.allocate(0);
    private boolean done;

    private NpyStream(Path target, Path tmp, FileChannel channel, long dataStart, long size) {
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.dataStart = dataStart;
        this.size = size;
    }

    /** A float32 array of the given shape; elements not written read back as 0. */
    public static NpyStream createFloat32(Path target, long... shape) {
        Path tmp = AtomicFile.temporaryFor(target);
        try {
            FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            byte[] header = Npy.header(Npy.Dtype.FLOAT32, shape);
            long size = Npy.size(shape);
            ch.write(ByteBuffer.wrap(header), 0);
            // extend to full length so the file has its final size even if the last element is never written
            if (size > 0) ch.write(ByteBuffer.allocate(1), header.length + size * 4 - 1);
            return new NpyStream(target, tmp, ch, header.length, size);
        } catch (IOException e) {
            AtomicFile.deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * A float32 array of the given shape at {@code file}, written in place: made (zero-filled) when
     * missing, reopened when it exists with exactly this header and length (its contents kept),
     * refused otherwise. {@link #close} keeps the file; {@link #force} makes what was written durable.
     */
    public static NpyStream openFloat32(Path file, long... shape) {
        byte[] header = Npy.header(Npy.Dtype.FLOAT32, shape);
        long size = Npy.size(shape), length = header.length + size * 4;
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                long have = ch.size();
                if (have == 0) {
                    ch.write(ByteBuffer.wrap(header), 0);
                    if (size > 0) ch.write(ByteBuffer.allocate(1), length - 1);
                } else {
                    ByteBuffer h = ByteBuffer.allocate(header.length);
                    while (h.hasRemaining() && ch.read(h, h.position()) > 0) { }
                    if (have != length || !java.util.Arrays.equals(h.array(), header))
                        throw new IOException("holds another array (" + have + " bytes, expected " + length + ")");
                }
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            NpyStream s = new NpyStream(file, null, ch, header.length, size);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads len elements from element index {@code at} (what an earlier process wrote, say). */
    public float[] read(long at, int len) {
        if (at < 0 || at + len > size) throw new IndexOutOfBoundsException("elements " + at + "+" + len + " of " + size);
        ByteBuffer b = ByteBuffer.allocate(len * 4).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long pos = dataStart + at * 4;
            while (b.hasRemaining()) {
                int n = channel.read(b, pos);
                if (n < 0) throw new IOException("ends early");
                pos += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + target + ": " + e.getMessage(), e);
        }
        b.flip();
        float[] out = new float[len];
        b.asFloatBuffer().get(out);
        return out;
    }

    /** Forces what was written to disk (before a checkpoint names it as written). */
    public void force() {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes src[off, off+len) at element index {@code at} of the C-order array. */
    public void write(long at, float[] src, int off, int len) {
        if (at < 0 || at + len > size) throw new IndexOutOfBoundsException("elements " + at + "+" + len + " of " + size);
        if (buffer.capacity() < len * 4) buffer = ByteBuffer.allocate(len * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.clear();
        buffer.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(src, off, len);
        buffer.limit(len * 4);
        try {
            long pos = dataStart + at * 4;
            while (buffer.hasRemaining()) pos += channel.write(buffer, pos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Forces the data to disk and gives the file its real name (for one made by {@link #createFloat32}). */
    public void commit() {
        if (tmp == null) throw new IllegalStateException(target + " is written in place; close it");
        try {
            channel.force(true);
            channel.close();
            AtomicFile.commit(tmp, target);
            done = true;
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Drops the unfinished file (one written in place is kept: it is resumed, or its directory is removed). */
    public void abort() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a channel we only wrote to; nothing to recover
        }
        if (tmp != null) AtomicFile.deleteQuietly(tmp);
        done = true;
    }

    /** Aborts unless committed, so a failure anywhere leaves no partial file behind. */
    @Override
    public void close() {
        if (!done) abort();
    }
}
