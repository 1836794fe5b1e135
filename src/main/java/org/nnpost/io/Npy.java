package org.nnpost.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        FLOAT32("<f4", 4, "float32"), FLOAT64("<f8", 8, "float64"), INT64("<i8", 8, "int64");

        public final String descr;
        public final int bytes;
        /** numpy's name of the type: float32, float64, int64. */
        public final String numpyName;

        Dtype(String descr, int bytes, String numpyName) { this.descr = descr; this.bytes = bytes; this.numpyName = numpyName; }

        /** The type a descr such as "&lt;f8" or "&gt;f8" names, in either byte order; null for another type. */
        public static Dtype of(String descr) {
            if (descr == null || descr.length() < 2) return null;
            for (Dtype d : values()) if (d.descr.substring(1).equals(descr.substring(1))) return d;
            return null;
        }

        /** numpy's name of a descr: float32 for "&lt;f4", int64 for "&lt;i8", else the descr itself. */
        public static String name(String descr) {
            Dtype d = of(descr);
            return d != null ? d.numpyName : descr;
        }
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

        int itemBytes() { return Npy.itemBytes(descr); }

        /** The engine's element type this array holds in either byte order, or null for another type. */
        public Dtype dtype() { return Dtype.of(descr); }

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

    /**
     * What an {@code .npy} file's header says: its dtype string (such as "&lt;f8"), order flag and
     * shape, and where its data start.
     */
    public record Header(String descr, boolean fortranOrder, long[] shape, long dataOffset) {

        public Header {
            shape = shape.clone();
        }

        @Override public long[] shape() { return shape.clone(); }

        /** Elements in the array. */
        public long size() { return Npy.size(shape); }

        /** Bytes of data the header promises. */
        public long dataBytes() { return size() * itemBytes(descr); }

        /** The engine's element type this descr names in either byte order, or null for another type. */
        public Dtype dtype() { return Dtype.of(descr); }
    }

    /**
     * The header of an {@code .npy} file, read without its data; the file's length is checked
     * against what the header promises, so a truncated file is found without reading it whole.
     *
     * @throws NpyException when the file is missing, unreadable, not an .npy file, has a bad
     *                      header, or is shorter or longer than its header says
     */
    public static Header describe(Path path) {
        try (FileChannel ch = open(path)) {
            long fileSize = ch.size();
            ByteBuffer start = readAt(ch, 0, (int) Math.min(fileSize, PREFIX_V2));
            int prefix = prefixLength(start, fileSize, path);
            long headerLen = headerLength(start, path);
            long need = Math.min(fileSize, prefix + headerLen);
            if (need > MAX_HEADER)
                throw new NpyException(path, NpyException.Problem.BAD_HEADER, "header of " + headerLen + " bytes (allowed: at most " + MAX_HEADER + ")");
            return parseHeader(readAt(ch, 0, (int) need), fileSize, path);
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    /**
     * The whole array.
     *
     * @throws NpyException as {@link #describe} does
     */
    public static Array read(Path path) {
        byte[] all;
        try (FileChannel ch = open(path)) {
            long n = ch.size();
            if (n > Integer.MAX_VALUE - 16)
                throw new NpyException(path, NpyException.Problem.UNREADABLE, n + " bytes, too large to read into one array");
            all = readAt(ch, 0, (int) n).array();
        } catch (IOException e) {
            throw unreadable(path, e);
        }
        ByteBuffer buf = ByteBuffer.wrap(all);
        Header h = parseHeader(buf, all.length, path);
        ByteBuffer data = buf.position((int) h.dataOffset()).slice().order(byteOrder(h.descr()));
        return new Array(h.descr(), h.fortranOrder(), h.shape(), data);
    }

    /** The magic string, version and header length of format 2.0 and 3.0; 1.0 needs two bytes fewer. */
    private static final int PREFIX_V1 = 10, PREFIX_V2 = 12;
    /** numpy refuses headers past this size too; a larger one is a corrupt length field. */
    private static final int MAX_HEADER = 1 << 24;

    private static FileChannel open(Path path) throws IOException {
        if (!Files.exists(path)) throw new NpyException(path, NpyException.Problem.MISSING, "missing");
        if (Files.isDirectory(path)) throw new NpyException(path, NpyException.Problem.UNREADABLE, "a directory, not a file");
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    private static NpyException unreadable(Path path, IOException e) {
        if (e instanceof NoSuchFileException) return new NpyException(path, NpyException.Problem.MISSING, "missing");
        String why = e instanceof AccessDeniedException ? "permission denied" : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new NpyException(path, NpyException.Problem.UNREADABLE, "cannot be read (" + why + ")");
    }

    private static ByteBuffer readAt(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            int got = ch.read(b, at + b.position());
            if (got < 0) break;   // the file shrank while read: the parser reports it short
        }
        return b.flip();
    }

    /** Checks the magic string and version; returns the length of the fixed part before the dict. */
    private static int prefixLength(ByteBuffer b, long fileSize, Path path) {
        if (fileSize == 0) throw new NpyException(path, NpyException.Problem.TRUNCATED, "empty (0 bytes)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= b.limit()) throw truncatedHeader(path, fileSize);
            if (b.get(i) != MAGIC[i]) throw new NpyException(path, NpyException.Problem.NOT_NPY,
                    "not an .npy file (it does not start with numpy's magic string)");
        }
        if (b.limit() < MAGIC.length + 2) throw truncatedHeader(path, fileSize);
        int major = b.get(MAGIC.length) & 0xFF, minor = b.get(MAGIC.length + 1) & 0xFF;
        if (major != 1 && major != 2 && major != 3)
            throw new NpyException(path, NpyException.Problem.BAD_HEADER,
                    "format version " + major + "." + minor + " (allowed: 1.0, 2.0, 3.0)");
        int prefix = major == 1 ? PREFIX_V1 : PREFIX_V2;
        if (b.limit() < prefix) throw truncatedHeader(path, fileSize);
        return prefix;
    }

    /** The header length field (after a successful {@link #prefixLength}). */
    private static long headerLength(ByteBuffer b, Path path) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return (b.get(MAGIC.length) & 0xFF) == 1 ? le.getShort(8) & 0xFFFF : le.getInt(8) & 0xFFFFFFFFL;
    }

    private static NpyException truncatedHeader(Path path, long fileSize) {
        return new NpyException(path, NpyException.Problem.TRUNCATED, "truncated: the file ends inside its header (" + fileSize + " bytes)");
    }

    /**
     * Parses the header at the start of buf (which holds at least the header, or the whole file
     * when it is shorter) of a file of fileSize bytes, and checks that the file holds exactly the
     * data the header promises.
     */
    static Header parseHeader(ByteBuffer buf, long fileSize, Path path) {
        int prefix = prefixLength(buf, fileSize, path);
        long headerLen = headerLength(buf, path);
        if (prefix + headerLen > fileSize || prefix + headerLen > buf.limit()) throw truncatedHeader(path, fileSize);
        int major = buf.get(MAGIC.length) & 0xFF;
        byte[] h = new byte[(int) headerLen];
        buf.duplicate().position(prefix).get(h);
        String dict = new String(h, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> fields = new HeaderParser(dict, path).dict();
        if (!(fields.get("descr") instanceof String descr)) throw badHeader(path, "descr is missing or not a simple type");
        if (!(fields.get("fortran_order") instanceof Boolean fortran)) throw badHeader(path, "fortran_order missing");
        if (!(fields.get("shape") instanceof long[] shape)) throw badHeader(path, "shape missing");
        byteOrder(descr, path);
        long item = itemBytes(descr, path), bytes;
        try {
            bytes = Math.multiplyExact(size(shape), item);
        } catch (ArithmeticException e) {
            throw badHeader(path, "shape " + shapeLiteral(shape) + " too large");
        }
        long dataOffset = prefix + headerLen, have = fileSize - dataOffset;
        if (have < bytes)
            throw new NpyException(path, NpyException.Problem.TRUNCATED, "truncated: data has " + have + " bytes, shape "
                    + shapeLiteral(shape) + " and dtype " + descr + " need " + bytes);
        if (have > bytes)
            throw new NpyException(path, NpyException.Problem.TRAILING_DATA, "data has " + have + " bytes, shape "
                    + shapeLiteral(shape) + " and dtype " + descr + " need " + bytes + " (bytes past the array's end)");
        return new Header(descr, fortran, shape, dataOffset);
    }

    private static NpyException badHeader(Path path, String why) {
        return new NpyException(path, NpyException.Problem.BAD_HEADER, "bad header: " + why);
    }

    /** The element kinds read here: floats, signed and unsigned integers, booleans. */
    private static final String KINDS = "fiub";

    private static ByteOrder byteOrder(String descr, Path path) {
        if (descr.length() < 3 || KINDS.indexOf(descr.charAt(1)) < 0)
            throw badHeader(path, "dtype '" + descr + "' (allowed: a number type such as <f4, <f8, <i8)");
        return switch (descr.charAt(0)) {
            case '<', '|' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            default -> throw badHeader(path, "dtype '" + descr + "' has no byte order");
        };
    }

    private static ByteOrder byteOrder(String descr) { return byteOrder(descr, null); }

    private static int itemBytes(String descr, Path path) {
        String n = descr.substring(2);
        if (!n.equals("1") && !n.equals("2") && !n.equals("4") && !n.equals("8"))
            throw badHeader(path, "dtype '" + descr + "' (allowed: items of 1, 2, 4 or 8 bytes)");
        return Integer.parseInt(n);
    }

    static int itemBytes(String descr) { return Integer.parseInt(descr.substring(2)); }

    /** Parses the Python literal dict of an .npy header: strings, True/False and int tuples. */
    private static final class HeaderParser {
        private final String s;
        private final Path name;
        private int i;

        HeaderParser(String s, Path name) { this.s = s; this.name = name; }

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
            throw badHeader(name, "unexpected '" + c + "' in header at " + i);
        }

        private long[] tuple() {
            expect('(');
            List<Long> dims = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == ')') { i++; break; }
                int start = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                if (start == i) throw badHeader(name, "shape is not a tuple of integers");
                try {
                    dims.add(Long.parseLong(s.substring(start, i)));
                } catch (NumberFormatException e) {
                    throw badHeader(name, "dimension " + s.substring(start, i) + " too large");
                }
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
            if (q != '\'' && q != '"') throw badHeader(name, "expected a string in header at " + i);
            int end = s.indexOf(q, i + 1);
            if (end < 0) throw badHeader(name, "unterminated string in header");
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private void expect(char c) {
            skipSpace();
            if (peek() != c) throw badHeader(name, "expected '" + c + "' in header at " + i);
            i++;
        }

        private char peek() {
            if (i >= s.length()) throw badHeader(name, "the dict ends early");
            return s.charAt(i);
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
