package org.nnpost.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * numpy's {@code .npy} format (format version 1.0 when writing): the magic string, a Python
 * dict literal with descr, fortran_order and shape, padded with spaces and a newline so the
 * data start at a multiple of 64 bytes, then the raw little-endian data in C order.
 * Writes go through {@link AtomicFile}. The reader follows the format's rules (versions 1–3,
 * either byte order) so tests and resumes read files as numpy would.
 */
public final class Npy {
    private Npy() {}

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final int ALIGN = 64;

    /** The element types the engine writes. */
    public enum Dtype {
        FLOAT32("<f4", 4), FLOAT64("<f8", 8), INT64("<i8", 8);

        public final String descr;
        public final int bytes;

        Dtype(String descr, int bytes) { this.descr = descr; this.bytes = bytes; }
    }

    // ------------------------------------------------------------------ writing

    public static void write(Path path, float[] data, long... shape) {
        checkSize(data.length, shape);
        AtomicFile.write(path, out -> { out.write(header(Dtype.FLOAT32, shape)); writeData(out, data, 0, data.length); });
    }

    public static void write(Path path, double[] data, long... shape) {
        checkSize(data.length, shape);
        AtomicFile.write(path, out -> { out.write(header(Dtype.FLOAT64, shape)); writeData(out, data); });
    }

    public static void write(Path path, long[] data, long... shape) {
        checkSize(data.length, shape);
        AtomicFile.write(path, out -> { out.write(header(Dtype.INT64, shape)); writeData(out, data); });
    }

    /** int values (labels) stored as int64, numpy's default integer. */
    public static void writeInt64(Path path, int[] data, long... shape) {
        long[] l = new long[data.length];
        for (int i = 0; i < data.length; i++) l[i] = data[i];
        write(path, l, shape);
    }

    /** The complete header (magic, version 1.0, length, padded dict); its length is a multiple of 64. */
    public static byte[] header(Dtype dtype, long[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '").append(dtype.descr)
                .append("', 'fortran_order': False, 'shape': ").append(shapeLiteral(shape)).append(", }");
        int unpadded = MAGIC.length + 2 + 2 + s.length() + 1;
        int pad = (ALIGN - unpadded % ALIGN) % ALIGN;
        s.append(" ".repeat(pad)).append('\n');
        byte[] dict = s.toString().getBytes(StandardCharsets.US_ASCII);
        if (dict.length > 0xFFFF) throw new IllegalArgumentException("shape too long for a version 1.0 header");
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + dict.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) dict.length).put(dict);
        return b.array();
    }

    static String shapeLiteral(long[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        return s.append(')').toString();
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension");
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void checkSize(long length, long[] shape) {
        if (size(shape) != length)
            throw new IllegalArgumentException("data has " + length + " elements, shape holds " + size(shape));
    }

    private static final int CHUNK = 8192;

    static void writeData(OutputStream out, float[] data, int off, int len) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = off; i < off + len; i += CHUNK) {
            int n = Math.min(CHUNK, off + len - i);
            b.clear();
            b.asFloatBuffer().put(data, i, n);
            out.write(b.array(), 0, n * 4);
        }
    }

    static void writeData(OutputStream out, double[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += CHUNK) {
            int n = Math.min(CHUNK, data.length - i);
            b.clear();
            b.asDoubleBuffer().put(data, i, n);
            out.write(b.array(), 0, n * 8);
        }
    }

    static void writeData(OutputStream out, long[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < data.length; i += CHUNK) {
            int n = Math.min(CHUNK, data.length - i);
            b.clear();
            b.asLongBuffer().put(data, i, n);
            out.write(b.array(), 0, n * 8);
        }
    }

    // ------------------------------------------------------------------ reading

    /** An array read back: its dtype string as the file gives it, order flag, shape and raw data. */
    public record Array(String descr, boolean fortranOrder, long[] shape, ByteBuffer data) {

        public long size() { return Npy.size(shape); }

        /** Element type letter ('f', 'i', 'u', 'b') and byte count, from descr such as "<f4". */
        char kind() { return descr.charAt(1); }

        int itemBytes() { return Integer.parseInt(descr.substring(2)); }

        public float[] floats() {
            require('f', 4);
            float[] v = new float[(int) size()];
            data.duplicate().order(data.order()).asFloatBuffer().get(v);
            return v;
        }

        public double[] doubles() {
            double[] v = new double[(int) size()];
            ByteBuffer b = data.duplicate().order(data.order());
            if (kind() == 'f' && itemBytes() == 8) b.asDoubleBuffer().get(v);
            else if (kind() == 'f' && itemBytes() == 4) for (int i = 0; i < v.length; i++) v[i] = b.getFloat(4 * i);
            else throw new IllegalStateException("not a float array: " + descr);
            return v;
        }

        public long[] longs() {
            long[] v = new long[(int) size()];
            ByteBuffer b = data.duplicate().order(data.order());
            if (kind() == 'i' && itemBytes() == 8) b.asLongBuffer().get(v);
            else if (kind() == 'i' && itemBytes() == 4) for (int i = 0; i < v.length; i++) v[i] = b.getInt(4 * i);
            else throw new IllegalStateException("not an integer array: " + descr);
            return v;
        }

        private void require(char k, int bytes) {
            if (kind() != k || itemBytes() != bytes) throw new IllegalStateException("array is " + descr);
        }
    }

    public static Array read(Path path) {
        try {
            return parse(ByteBuffer.wrap(Files.readAllBytes(path)), path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    static Array parse(ByteBuffer buf, String name) {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC)
            if (buf.remaining() == 0 || buf.get() != b) throw bad(name, "not an .npy file (magic string missing)");
        int major = buf.get() & 0xFF, minor = buf.get() & 0xFF;
        int headerLen;
        if (major == 1) headerLen = buf.getShort() & 0xFFFF;
        else if (major == 2 || major == 3) headerLen = buf.getInt();
        else throw bad(name, "unsupported format version " + major + "." + minor);
        if (headerLen < 0 || headerLen > buf.remaining()) throw bad(name, "header longer than the file");
        byte[] h = new byte[headerLen];
        buf.get(h);
        String dict = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> fields = new HeaderParser(dict, name).dict();
        if (!(fields.get("descr") instanceof String descr)) throw bad(name, "descr is not a simple type");
        if (!(fields.get("fortran_order") instanceof Boolean fortran)) throw bad(name, "fortran_order missing");
        if (!(fields.get("shape") instanceof long[] shape)) throw bad(name, "shape missing");
        if (descr.length() < 3) throw bad(name, "descr '" + descr + "'");
        ByteOrder order = switch (descr.charAt(0)) {
            case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> throw bad(name, "descr '" + descr + "' has no byte order");
        };
        int item;
        try {
            item = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw bad(name, "descr '" + descr + "'");
        }
        long bytes = Math.multiplyExact(size(shape), (long) item);
        if (buf.remaining() != bytes)
            throw bad(name, "data has " + buf.remaining() + " bytes, shape and dtype need " + bytes);
        ByteBuffer data = buf.slice().order(order);
        return new Array(descr, fortran, shape, data);
    }

    private static IllegalArgumentException bad(String name, String why) {
        return new IllegalArgumentException(name + ": " + why);
    }

    /** Parses the Python literal dict of an .npy header: strings, True/False and int tuples. */
    private static final class HeaderParser {
        private final String s, name;
        private int i;

        HeaderParser(String s, String name) { this.s = s; this.name = name; }

        Map<String, Object> dict() {
            Map<String, Object> m = new LinkedHashMap<>();
            expect('{');
            while (true) {
                skipSpace();
                if (peek() == '}') { i++; break; }
                String key = string();
                expect(':');
                m.put(key, value());
                skipSpace();
                if (peek() == ',') { i++; continue; }
                expect('}');
                break;
            }
            return m;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') return string();
            if (c == '(') return tuple();
            if (s.startsWith("True", i)) { i += 4; return Boolean.TRUE; }
            if (s.startsWith("False", i)) { i += 5; return Boolean.FALSE; }
            throw bad(name, "unexpected '" + c + "' in header at " + i);
        }

        private long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') { i++; break; }
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                if (start == i) throw bad(name, "bad shape in header");
                dims.add(Long.parseLong(s.substring(start, i)));
                if (i < s.length() && s.charAt(i) == 'L') i++;   // Python 2 long suffix
                skipSpace();
                if (peek() == ',') { i++; continue; }
                expect(')');
                break;
            }
            long[] shape = new long[dims.size()];
            for (int k = 0; k < shape.length; k++) shape[k] = dims.get(k);
            return shape;
        }

        private String string() {
            skipSpace();
            char q = peek();
            if (q != '\'' && q != '"') throw bad(name, "expected a string in header at " + i);
            int end = s.indexOf(q, i + 1);
            if (end < 0) throw bad(name, "unterminated string in header");
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private void expect(char c) {
            skipSpace();
            if (peek() != c) throw bad(name, "expected '" + c + "' in header at " + i);
            i++;
        }

        private char peek() {
            if (i >= s.length()) throw bad(name, "header ends early");
            return s.charAt(i);
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
