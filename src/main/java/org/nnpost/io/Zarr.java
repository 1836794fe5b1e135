package org.nnpost.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Zarr store, format version 2, as xarray reads one: a directory per group ({@code .zgroup},
 * {@code .zattrs}), a directory per array ({@code .zarray}: shape, chunks, dtype, no compressor;
 * {@code .zattrs} with {@code _ARRAY_DIMENSIONS}, the dimension names xarray gives the array),
 * chunks as raw little-endian bytes in C order named by their chunk index ("0.2.0"), and the
 * consolidated metadata {@code .zmetadata} that {@code xr.open_zarr} reads in one go.
 *
 * <p>The store is built under a temporary name and renamed when {@link #finish} is called, so a
 * store that is there is whole. Arrays of three or more dimensions are chunked along the first
 * (one chunk per chain), others are one chunk.
 */
public final class Zarr {
    private final Path target, tmp;
    private final ObjectNode consolidated = Json.object();
    private boolean finished;

    private Zarr(Path target) {
        this.target = target;
        this.tmp = target.resolveSibling(target.getFileName() + AtomicFile.TMP_SUFFIX);
    }

    /** Starts a store at {@code target}, which must not exist; its root group has these attributes. */
    public static Zarr create(Path target, ObjectNode rootAttributes) {
        Zarr z = new Zarr(target);
        deleteTree(z.tmp);
        try {
            Files.createDirectories(z.tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        z.group("", rootAttributes);
        return z;
    }

    /** A group ("" for the root) with its attributes. */
    public void group(String path, ObjectNode attributes) {
        meta(path, ".zgroup", Json.object().put("zarr_format", 2));
        meta(path, ".zattrs", attributes == null ? Json.object() : attributes);
    }

    /**
     * An array: its little-endian data in C order, read from {@code data}'s position.
     *
     * @param dtype numpy's type string: "&lt;f4", "&lt;f8", "&lt;i8" or "|b1"
     * @param dims  a name per dimension (xarray's dimension names)
     */
    public void array(String path, String dtype, long[] shape, String[] dims, ByteBuffer data, ObjectNode attributes) {
        if (dims.length != shape.length) throw new IllegalArgumentException(path + ": " + dims.length + " names for " + shape.length + " dimensions");
        int item = Integer.parseInt(dtype.substring(2));
        long[] chunks = new long[shape.length];
        for (int k = 0; k < shape.length; k++) chunks[k] = Math.max(1, shape[k]);
        if (shape.length >= 3) chunks[0] = 1;
        ObjectNode z = Json.object();
        z.put("zarr_format", 2);
        ArrayNode s = z.putArray("shape"), c = z.putArray("chunks");
        for (long v : shape) s.add(v);
        for (long v : chunks) c.add(v);
        z.put("dtype", dtype);
        z.putNull("compressor");
        z.putNull("filters");
        z.put("order", "C");
        // a fill value makes xarray mask it: floats mask NaN (what they hold anyway), while a
        // bool or integer array with one would come back as floats
        if (dtype.charAt(1) == 'f') z.put("fill_value", "NaN");
        else z.putNull("fill_value");
        z.put("dimension_separator", ".");
        meta(path, ".zarray", z);
        ObjectNode a = attributes == null ? Json.object() : attributes.deepCopy();
        ArrayNode names = a.putArray("_ARRAY_DIMENSIONS");
        for (String d : dims) names.add(d);
        meta(path, ".zattrs", a);

        long total = 1;
        for (long v : shape) total *= v;
        if (total == 0) return;   // no chunk: an empty array
        long perChunk = total / (shape.length >= 3 ? shape[0] : 1);
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        long nChunks = shape.length >= 3 ? shape[0] : 1;
        for (long k = 0; k < nChunks; k++) {
            StringBuilder key = new StringBuilder();
            if (shape.length == 0) key.append('0');
            for (int d = 0; d < shape.length; d++) key.append(d > 0 ? "." : "").append(d == 0 ? k : 0);
            int from = Math.toIntExact(base + k * perChunk * item), len = Math.toIntExact(perChunk * item);
            ByteBuffer slice = b.duplicate();
            slice.position(from).limit(from + len);
            Path f = dir(path).resolve(key.toString());
            try (OutputStream o = Files.newOutputStream(f)) {
                byte[] buf = new byte[Math.min(len, 1 << 20)];
                while (slice.hasRemaining()) {
                    int n = Math.min(buf.length, slice.remaining());
                    slice.get(buf, 0, n);
                    o.write(buf, 0, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
            }
        }
    }

    public void array(String path, float[] v, long[] shape, String[] dims, ObjectNode attributes) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        array(path, "<f4", shape, dims, b, attributes);
    }

    public void array(String path, double[] v, long[] shape, String[] dims, ObjectNode attributes) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(v);
        array(path, "<f8", shape, dims, b, attributes);
    }

    public void array(String path, long[] v, long[] shape, String[] dims, ObjectNode attributes) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(v);
        array(path, "<i8", shape, dims, b, attributes);
    }

    public void array(String path, boolean[] v, long[] shape, String[] dims, ObjectNode attributes) {
        ByteBuffer b = ByteBuffer.allocate(v.length);
        for (boolean x : v) b.put((byte) (x ? 1 : 0));
        b.flip();
        array(path, "|b1", shape, dims, b, attributes);
    }

    /** Writes the consolidated metadata and puts the store in place. */
    public Path finish() {
        ObjectNode root = Json.object();
        root.set("metadata", consolidated);
        root.put("zarr_consolidated_format", 1);
        write(tmp.resolve(".zmetadata"), root);
        try {
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        finished = true;
        return target;
    }

    /** Removes the unfinished store, if any (after a failure). */
    public void abandon() {
        if (!finished) deleteTree(tmp);
    }

    private void meta(String path, String file, JsonNode node) {
        Path d = dir(path);
        write(d.resolve(file), node);
        consolidated.set(path.isEmpty() ? file : path + "/" + file, node);
    }

    private Path dir(String path) {
        Path d = path.isEmpty() ? tmp : tmp.resolve(path);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + d + ": " + e.getMessage(), e);
        }
        return d;
    }

    private static void write(Path f, JsonNode node) {
        try {
            Files.writeString(f, node.toPrettyString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f + ": " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
        }
    }
}
