package org.nnpost.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    @TempDir Path dir;

    @Test
    void headerIsVersion1WithDictPaddedTo64Bytes() {
        byte[] h = Npy.header(Npy.Dtype.FLOAT32, new long[]{2, 3});
        assertEquals(0, h.length % 64);
        assertEquals((byte) 0x93, h[0]);
        assertEquals("NUMPY", new String(h, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, h[6]);
        assertEquals(0, h[7]);
        int len = (h[8] & 0xFF) | (h[9] & 0xFF) << 8;
        assertEquals(h.length - 10, len);
        String dict = new String(h, 10, len, StandardCharsets.US_ASCII);
        assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), dict);
        assertTrue(dict.endsWith("\n"));
        assertEquals("", dict.substring(dict.indexOf('}') + 1, dict.length() - 1).strip());
        // one-dimensional shapes need the trailing comma of a Python 1-tuple, scalars the empty tuple
        assertEquals("(5,)", Npy.shapeLiteral(new long[]{5}));
        assertEquals("()", Npy.shapeLiteral(new long[]{}));
    }

    @Test
    void float32Float64AndInt64RoundTripExactly() {
        float[] f = new float[24];
        for (int i = 0; i < f.length; i++) f[i] = (float) Math.sin(i) * 1e3f;
        f[3] = Float.MIN_VALUE;
        f[4] = -0.0f;
        Npy.write(dir.resolve("f.npy"), f, 2, 3, 4);
        Npy.Array a = Npy.read(dir.resolve("f.npy"));
        assertEquals("<f4", a.descr());
        assertFalse(a.fortranOrder());
        assertArrayEquals(new long[]{2, 3, 4}, a.shape());
        assertArrayEquals(f, a.floats());   // bit patterns, including −0 and a subnormal

        double[] d = {Math.PI, -1e-300, Double.MAX_VALUE, 0.1};
        Npy.write(dir.resolve("d.npy"), d, 4);
        assertArrayEquals(d, Npy.read(dir.resolve("d.npy")).doubles());

        long[] l = {-1, Long.MAX_VALUE, 0, 42, Long.MIN_VALUE, 7};
        Npy.write(dir.resolve("l.npy"), l, 3, 2);
        Npy.Array la = Npy.read(dir.resolve("l.npy"));
        assertEquals("<i8", la.descr());
        assertArrayEquals(l, la.longs());

        Npy.write(dir.resolve("empty.npy"), new double[0], 0, 3);
        assertArrayEquals(new long[]{0, 3}, Npy.read(dir.resolve("empty.npy")).shape());
        Npy.write(dir.resolve("scalar.npy"), new double[]{2.5});
        assertArrayEquals(new double[]{2.5}, Npy.read(dir.resolve("scalar.npy")).doubles());
    }

    @Test
    void fileSizeIsHeaderPlusData() throws IOException {
        Npy.write(dir.resolve("x.npy"), new float[7 * 5], 7, 5);
        long size = Files.size(dir.resolve("x.npy"));
        // magic 6 + version 2 + length 2 + a 60-character dict + newline = 71 bytes, padded to 128
        assertEquals(128 + 7 * 5 * 4, size);
    }

    @Test
    void writeRejectsShapeThatDoesNotMatchData() {
        assertThrows(IllegalArgumentException.class, () -> Npy.write(dir.resolve("bad.npy"), new float[5], 2, 3));
        assertFalse(Files.exists(dir.resolve("bad.npy")));
    }

    @Test
    void readerFollowsByteOrderAndVersion2Headers() throws IOException {
        // a big-endian float64 array (3,) in format version 2.0 (4-byte header length), built by hand
        String dict = "{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }";
        int unpadded = 6 + 2 + 4 + dict.length() + 1;
        dict = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(12 + dict.length() + 24);
        b.put(Npy.MAGIC).put((byte) 2).put((byte) 0);
        b.order(ByteOrder.LITTLE_ENDIAN).putInt(dict.length());
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        b.order(ByteOrder.BIG_ENDIAN).putDouble(1.5).putDouble(-2.25).putDouble(1e10);
        Files.write(dir.resolve("be.npy"), b.array());
        Npy.Array a = Npy.read(dir.resolve("be.npy"));
        assertArrayEquals(new double[]{1.5, -2.25, 1e10}, a.doubles());
    }

    @Test
    void readerRejectsTruncatedData() throws IOException {
        Npy.write(dir.resolve("t.npy"), new double[]{1, 2, 3}, 3);
        byte[] all = Files.readAllBytes(dir.resolve("t.npy"));
        Files.write(dir.resolve("cut.npy"), Arrays.copyOf(all, all.length - 8));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(dir.resolve("cut.npy")));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
    }

    /** Every way a file can fail to be an .npy array is one typed exception naming the file and the fault. */
    @Test
    void unreadableFilesAreNamedWithWhatIsWrong() throws IOException {
        Npy.write(dir.resolve("t.npy"), new double[]{1, 2, 3, 4, 5}, 5);
        byte[] all = Files.readAllBytes(dir.resolve("t.npy"));
        Path missing = dir.resolve("missing.npy");
        Path empty = Files.write(dir.resolve("empty.npy"), new byte[0]);
        Path inHeader = Files.write(dir.resolve("in-header.npy"), Arrays.copyOf(all, 40));
        Path inData = Files.write(dir.resolve("in-data.npy"), Arrays.copyOf(all, all.length - 3));
        Path longer = Files.write(dir.resolve("longer.npy"), Arrays.copyOf(all, all.length + 8));
        Path text = Files.writeString(dir.resolve("text.npy"), "x,y\n1,2\n");
        byte[] garbled = all.clone();
        garbled[12] = '[';   // the dict's opening brace
        Path badDict = Files.write(dir.resolve("bad-dict.npy"), garbled);
        byte[] version = all.clone();
        version[6] = 9;
        Path badVersion = Files.write(dir.resolve("version.npy"), version);
        String dict = new String(all, 10, all.length - 10 - 40, StandardCharsets.ISO_8859_1);
        Path unicode = Files.write(dir.resolve("unicode.npy"), concat(Arrays.copyOf(all, 10),
                dict.replace("'<f8'", "'<U8'").getBytes(StandardCharsets.ISO_8859_1), new byte[40]));

        Object[][] cases = {
                {missing, NpyException.Problem.MISSING, "missing"},
                {empty, NpyException.Problem.TRUNCATED, "empty"},
                {inHeader, NpyException.Problem.TRUNCATED, "ends inside its header"},
                {inData, NpyException.Problem.TRUNCATED, "truncated: data has 37 bytes, shape (5,) and dtype <f8 need 40"},
                {longer, NpyException.Problem.TRAILING_DATA, "data has 48 bytes"},
                {text, NpyException.Problem.NOT_NPY, "not an .npy file"},
                {badDict, NpyException.Problem.BAD_HEADER, "bad header"},
                {badVersion, NpyException.Problem.BAD_HEADER, "format version 9.0"},
                {unicode, NpyException.Problem.BAD_HEADER, "'<U8'"},
        };
        for (Object[] c : cases) {
            Path p = (Path) c[0];
            for (boolean whole : new boolean[]{true, false}) {
                NpyException e = assertThrows(NpyException.class, () -> { if (whole) Npy.read(p); else Npy.describe(p); }, p.toString());
                assertEquals(p, e.file());
                assertEquals(c[1], e.problem(), e.getMessage());
                assertTrue(e.detail().contains((String) c[2]), e.getMessage());
                assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            }
        }
    }

    @Test
    void describeReadsTheHeaderAndChecksTheFileLength() throws IOException {
        Npy.write(dir.resolve("a.npy"), new float[6], 2, 3);
        Npy.Header h = Npy.describe(dir.resolve("a.npy"));
        assertEquals("<f4", h.descr());
        assertEquals(Npy.Dtype.FLOAT32, h.dtype());
        assertArrayEquals(new long[]{2, 3}, h.shape());
        assertEquals(Files.size(dir.resolve("a.npy")), h.dataOffset() + h.dataBytes());
        assertEquals(Npy.Dtype.FLOAT64, Npy.Dtype.of(">f8"));
        assertEquals(null, Npy.Dtype.of("<i4"));
        assertEquals("int64", Npy.Dtype.name("<i8"));
        assertEquals("<u2", Npy.Dtype.name("<u2"));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    @Test
    void streamFillsAnyOffsetAndCommitsAtomically() throws IOException {
        Path target = dir.resolve("s.npy");
        try (NpyStream s = NpyStream.createFloat32(target, 2, 3, 2)) {
            s.write(6, new float[]{1, 2, 3, 4, 5, 6}, 0, 6);   // the second row block first
            assertFalse(Files.exists(target), "not visible before commit");
            s.write(0, new float[]{9, 7, 8}, 1, 2);
            s.commit();
        }
        Npy.Array a = Npy.read(target);
        assertArrayEquals(new long[]{2, 3, 2}, a.shape());
        assertArrayEquals(new float[]{7, 8, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6}, a.floats());
        assertEquals(1, countFiles());
    }

    @Test
    void streamClosedWithoutCommitLeavesNothing() throws IOException {
        try (NpyStream s = NpyStream.createFloat32(dir.resolve("gone.npy"), 4)) {
            s.write(0, new float[]{1}, 0, 1);
        }
        assertEquals(0, countFiles());
    }

    // ------------------------------------------------------------------ numpy itself, where present

    @Test
    void numpyLoadsOurFilesAndWeReadNumpys() throws Exception {
        assumeTrue(python("import numpy").exit == 0, "python3 with numpy not available");
        float[] f = new float[2 * 3 * 4];
        for (int i = 0; i < f.length; i++) f[i] = 0.1f * i - 1;
        Npy.write(dir.resolve("ours.npy"), f, 2, 3, 4);
        Npy.write(dir.resolve("ours_i.npy"), new long[]{5, -6, 7}, 3);
        Run r = python("import numpy as np, sys\n"
                + "a = np.load(sys.argv[1] + '/ours.npy'); b = np.load(sys.argv[1] + '/ours_i.npy')\n"
                + "print(a.dtype, a.shape, a.flags['C_CONTIGUOUS'], repr(float(a[1, 2, 3])), b.dtype, b.tolist())\n"
                + "np.save(sys.argv[1] + '/theirs.npy', (np.arange(12).reshape(3, 4) / 8).astype('>f8'))\n"
                + "np.save(sys.argv[1] + '/theirs_f.npy', np.asfortranarray(np.ones((2, 2), dtype=np.float32)))\n",
                dir.toString());
        assertEquals(0, r.exit, r.out);
        // a[1,2,3] is element 1·12 + 2·4 + 3 = 23 in C order
        assertEquals("float32 (2, 3, 4) True " + (double) f[23] + " int64 [5, -6, 7]", r.out.strip());
        Npy.Array theirs = Npy.read(dir.resolve("theirs.npy"));
        assertEquals(">f8", theirs.descr());
        assertArrayEquals(new long[]{3, 4}, theirs.shape());
        double[] expect = new double[12];
        for (int i = 0; i < 12; i++) expect[i] = i / 8.0;
        assertArrayEquals(expect, theirs.doubles());
        assertTrue(Npy.read(dir.resolve("theirs_f.npy")).fortranOrder());
    }

    record Run(int exit, String out) {}

    static Run python(String script, String... args) throws Exception {
        String[] cmd = new String[3 + args.length];
        cmd[0] = "python3";
        cmd[1] = "-c";
        cmd[2] = script;
        System.arraycopy(args, 0, cmd, 3, args.length);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "timeout");
            }
            return new Run(p.exitValue(), out);
        } catch (IOException e) {
            return new Run(-1, e.getMessage());
        }
    }

    private long countFiles() throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
