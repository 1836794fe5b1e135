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
 * offset (draws arrive draw by draw, but the file is [chain, draw, …]). It lives under a
 * temporary name until {@link #commit}, so an unfinished array never looks whole.
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

    /** Forces the data to disk and gives the file its real name. */
    public void commit() {
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

    /** Drops the unfinished file. */
    public void abort() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing a channel we only wrote to; nothing to recover
        }
        AtomicFile.deleteQuietly(tmp);
        done = true;
    }

    /** Aborts unless committed, so a failure anywhere leaves no partial file behind. */
    @Override
    public void close() {
        if (!done) abort();
    }
}
