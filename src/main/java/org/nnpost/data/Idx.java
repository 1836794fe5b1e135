package org.nnpost.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST: a magic word (two zero bytes, a type byte, the
 * number of dimensions), one big-endian int per dimension, then the data. Only unsigned bytes
 * (type 0x08) occur in these datasets. A gzip file is recognised by its own magic bytes, so
 * `.gz` and plain files both work whatever their names.
 */
public final class Idx {
    private Idx() {}

    /** An IDX array of unsigned bytes. */
    public record Array(int[] dims, byte[] data) {}

    public static Array read(Path file) {
        try (InputStream in = open(file)) {
            DataInputStream d = new DataInputStream(in);
            int magic;
            try {
                magic = d.readInt();
            } catch (EOFException e) {
                throw new DataException(file + ": empty or truncated IDX file (no header)");
            }
            if ((magic >>> 16) != 0)
                throw new DataException(file + ": not an IDX file (magic 0x" + Integer.toHexString(magic) + ", expected 0x00000801 or 0x00000803)");
            int type = (magic >>> 8) & 0xFF, nd = magic & 0xFF;
            if (type != 0x08)
                throw new DataException(file + ": IDX element type 0x" + Integer.toHexString(type) + " is not supported (expected 0x08, unsigned byte)");
            if (nd < 1 || nd > 4)
                throw new DataException(file + ": IDX file with " + nd + " dimensions (expected 1 to 4)");
            int[] dims = new int[nd];
            long total = 1;
            for (int i = 0; i < nd; i++) {
                try {
                    dims[i] = d.readInt();
                } catch (EOFException e) {
                    throw new DataException(file + ": truncated IDX header");
                }
                if (dims[i] <= 0) throw new DataException(file + ": IDX dimension " + i + " is " + dims[i] + " (must be positive)");
                total *= dims[i];
            }
            if (total > Integer.MAX_VALUE - 16)
                throw new DataException(file + ": IDX array of " + total + " elements is too large");
            byte[] data = new byte[(int) total];
            int got = d.readNBytes(data, 0, data.length);
            if (got < data.length)
                throw new DataException(file + ": truncated IDX data (" + got + " of " + total + " bytes)");
            if (d.read() != -1)
                throw new DataException(file + ": IDX file longer than its header says (" + total + " data bytes)");
            return new Array(dims, data);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": no such file");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw new DataException(file + ": corrupt gzip stream (" + e.getMessage() + ")");
            }
        }
        return raw;
    }

    /** Images and labels from a pair of IDX files, checked against each other. */
    public static Images images(String name, Path imageFile, Path labelFile, int classes) {
        Array im = read(imageFile), lb;
        try {
            lb = read(labelFile);
        } catch (DataException e) {
            throw e;
        }
        if (im.dims().length != 3)
            throw new DataException(imageFile + ": expected a 3-dimensional image file (count, rows, cols), found " + im.dims().length + " dimensions");
        if (lb.dims().length != 1)
            throw new DataException(labelFile + ": expected a 1-dimensional label file, found " + lb.dims().length + " dimensions");
        if (im.dims()[0] != lb.dims()[0])
            throw new DataException(labelFile + ": " + lb.dims()[0] + " labels for " + im.dims()[0] + " images in " + imageFile.getFileName());
        int n = im.dims()[0];
        int[] labels = new int[n];
        for (int k = 0; k < n; k++) {
            labels[k] = lb.data()[k] & 0xFF;
            if (labels[k] >= classes)
                throw new DataException(labelFile + ": label " + labels[k] + " at index " + k + " is outside 0.." + (classes - 1));
        }
        return new Images(name, n, im.dims()[1] * im.dims()[2], im.data(), labels, classes);
    }
}
