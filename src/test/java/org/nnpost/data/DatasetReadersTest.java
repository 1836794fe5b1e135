package org.nnpost.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReadersTest {
    @TempDir Path dir;

    /** An IDX file in the exact format: magic, big-endian dims, bytes. */
    static byte[] idx(int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x00000800 | dims.length);
        for (int v : dims) d.writeInt(v);
        d.write(data);
        return b.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(b)) { g.write(raw); }
        return b.toByteArray();
    }

    static byte[] pattern(int n, int mod) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) ((i * 7 + 3) % mod);
        return b;
    }

    Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void idxRoundTripPlainAndGzipGiveTheSameImagesAndLabels() throws IOException {
        byte[] px = pattern(5 * 3 * 4, 256), lb = pattern(5, 10);
        Path ip = write("im", idx(new int[]{5, 3, 4}, px)), lp = write("lb", idx(new int[]{5}, lb));
        Path ig = write("im.gz", gzip(idx(new int[]{5, 3, 4}, px))), lg = write("lb.gz", gzip(idx(new int[]{5}, lb)));
        for (Images im : List.of(Idx.images("t", ip, lp, 10), Idx.images("t", ig, lg, 10))) {
            assertEquals(5, im.count());
            assertEquals(12, im.pixelsPerImage());
            assertArrayEquals(px, im.pixels());
            for (int k = 0; k < 5; k++) assertEquals(lb[k], im.labels()[k]);
        }
    }

    void assertFault(String fragment, Runnable r) {
        DataException e = assertThrows(DataException.class, r::run);
        assertTrue(e.getMessage().contains(fragment), () -> "message '" + e.getMessage() + "' lacks '" + fragment + "'");
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void idxCorruptionsEachGiveTheirOwnOneLineError() throws IOException {
        byte[] good = idx(new int[]{2, 2, 2}, pattern(8, 256));
        byte[] badMagic = good.clone(); badMagic[0] = 0x12;
        assertFault("not an IDX file", () -> Idx.read(unchecked(() -> write("m", badMagic))));
        byte[] badType = good.clone(); badType[2] = 0x0D;
        assertFault("element type", () -> Idx.read(unchecked(() -> write("t", badType))));
        assertFault("truncated IDX data", () -> Idx.read(unchecked(() -> write("d", java.util.Arrays.copyOf(good, good.length - 3)))));
        assertFault("truncated IDX header", () -> Idx.read(unchecked(() -> write("h", java.util.Arrays.copyOf(good, 9)))));
        assertFault("empty or truncated", () -> Idx.read(unchecked(() -> write("e", new byte[0]))));
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertFault("longer than its header", () -> Idx.read(unchecked(() -> write("l", longer))));
        byte[] gz = gzip(good);
        byte[] cut = java.util.Arrays.copyOf(gz, gz.length / 2);
        assertFault("truncated", () -> Idx.read(unchecked(() -> write("c.gz", cut))));
        assertFault("no such file", () -> Idx.read(dir.resolve("absent")));
    }

    @Test
    void labelsOutOfRangeOrMismatchedCountsAreRejected() throws IOException {
        Path ip = write("im", idx(new int[]{3, 2, 2}, pattern(12, 256)));
        Path bad = write("lb", idx(new int[]{3}, new byte[]{1, 10, 2}));
        assertFault("label 10 at index 1", () -> Idx.images("t", ip, bad, 10));
        Path few = write("lb2", idx(new int[]{2}, new byte[]{1, 2}));
        assertFault("2 labels for 3 images", () -> Idx.images("t", ip, few, 10));
        Path flat = write("im1", idx(new int[]{12}, pattern(12, 256)));
        assertFault("3-dimensional", () -> Idx.images("t", flat, few, 10));
    }

    static byte[] cifar(int records, int badLabelAt) {
        byte[] b = new byte[records * Cifar10.RECORD];
        for (int r = 0; r < records; r++) {
            b[r * Cifar10.RECORD] = (byte) (r == badLabelAt ? 11 : r % 10);
            for (int j = 0; j < 3072; j++) b[r * Cifar10.RECORD + 1 + j] = (byte) (r + j);
        }
        return b;
    }

    @Test
    void cifarRoundTripAcrossBatchFiles() throws IOException {
        for (int i = 0; i < 5; i++) write(Cifar10.TRAIN_FILES[i], cifar(3, -1));
        write(Cifar10.TEST_FILE, cifar(2, -1));
        Images tr = Cifar10.train(dir), te = Cifar10.test(dir);
        assertEquals(15, tr.count());
        assertEquals(2, te.count());
        assertEquals(3072, tr.pixelsPerImage());
        assertEquals(2, tr.labels()[5]);                 // record 2 of the second file
        assertEquals((2 + 100) & 0xFF, tr.pixel(5, 100));
    }

    @Test
    void cifarTruncationAndBadLabelsAreRejected() throws IOException {
        byte[] b = cifar(2, -1);
        Path cut = write("cut.bin", java.util.Arrays.copyOf(b, b.length - 1));
        assertFault("not a whole number of CIFAR-10 records", () -> Cifar10.read("cifar10", List.of(cut)));
        Path lab = write("lab.bin", cifar(3, 1));
        assertFault("label 11 in record 1", () -> Cifar10.read("cifar10", List.of(lab)));
        assertFault("no such file", () -> Cifar10.read("cifar10", List.of(dir.resolve("none.bin"))));
    }

    @Test
    void aDatasetIsReadOncePerProcessUntilItsFilesChange() throws IOException {
        Path m = Files.createDirectories(dir.resolve("mnist"));
        byte[] px = pattern(4 * 2 * 2, 256), lb = pattern(4, 10);
        Files.write(m.resolve("train-images-idx3-ubyte"), idx(new int[]{4, 2, 2}, px));
        Files.write(m.resolve("train-labels-idx1-ubyte"), idx(new int[]{4}, lb));
        Images a = Datasets.load(dir, "mnist", false), b = Datasets.load(dir, "mnist", false);
        assertTrue(a == b, "the points of a sweep share one reading");
        byte[] more = pattern(5 * 2 * 2, 256);
        Files.write(m.resolve("train-images-idx3-ubyte"), idx(new int[]{5, 2, 2}, more));
        Files.write(m.resolve("train-labels-idx1-ubyte"), idx(new int[]{5}, pattern(5, 10)));
        Images c = Datasets.load(dir, "mnist", false);
        assertEquals(5, c.count(), "a file changed on disk is read again");
    }

    @Test
    void missingDatasetSaysHowToFetchIt() {
        assertFault("scripts/fetch-datasets.sh mnist", () -> Datasets.load(dir, "mnist", false));
        assertFault("not fetched", () -> Datasets.load(dir, "cifar10", true));
        assertFault("unknown dataset", () -> Datasets.load(dir, "svhn", false));
    }

    @Test
    void imageTaskSelectsBalancedClassesRelabelsCentresAndNormalises() throws IOException {
        int n = 60, side = 4;
        byte[] px = pattern(n * side * side, 256), lb = new byte[n];
        for (int k = 0; k < n; k++) lb[k] = (byte) (k % 10);
        Path ip = write("i", idx(new int[]{n, side, side}, px)), lp = write("l", idx(new int[]{n}, lb));
        Images im = Idx.images("toy", ip, lp, 10);
        ImageTask spec = new ImageTask(new int[]{7, 2, 5}, 12, 6, true, true, true, 1, 1, 0, 9);
        Task t = spec.build(im, im);
        int[] count = new int[3];
        for (int l : t.train().labels()) count[l]++;
        assertArrayEquals(new int[]{4, 4, 4}, count);
        int n0 = side * side;
        for (int k = 0; k < 12; k++) {
            double s = 0;
            for (int j = 0; j < n0; j++) s += t.train().x()[k * n0 + j] * t.train().x()[k * n0 + j];
            assertEquals(n0, s, 1e-3 * n0, "‖x‖² = N0");
        }
        // the same seed picks the same examples
        assertArrayEquals(t.train().x(), spec.build(im, im).train().x());
        DataException e = assertThrows(DataException.class,
                () -> new ImageTask(new int[]{1}, 7, 1, true, false, false, 1, 1, 0, 1).build(im, im));
        assertTrue(e.getMessage().contains("only 6 exist"), e.getMessage());
    }

    /** A random draw that misses a class is refused in one line naming what to change; a draw that does not is built. */
    @Test
    void aRandomDrawThatLeavesAClassWithoutATrainingInputIsRefused() throws IOException {
        int n = 60, side = 2;
        byte[] px = pattern(n * side * side, 256), lb = new byte[n];
        for (int k = 0; k < n; k++) lb[k] = (byte) (k % 10);
        Images im = Idx.images("toy", write("i", idx(new int[]{n, side, side}, px)), write("l", idx(new int[]{n}, lb)), 10);
        int refused = 0, built = 0;
        for (long seed = 1; seed <= 40; seed++) {
            ImageTask t = new ImageTask(new int[]{7, 2, 5}, 3, 2, false, false, false, 1, 1, 0, seed);
            try {
                int[] count = new int[3];
                for (int l : t.build(im, im).train().labels()) count[l]++;
                assertArrayEquals(new int[]{1, 1, 1}, count);
                built++;
            } catch (DataException e) {
                assertTrue(e.getMessage().startsWith("--P 3 with --draw random and --data-seed " + seed + ": "), e.getMessage());
                assertTrue(e.getMessage().contains("(allowed: a larger --P, another --data-seed, or --draw balanced)"), e.getMessage());
                refused++;
            }
        }
        // three draws among three classes of six examples each miss a class about three times in four
        assertTrue(refused > 0 && built > 0, refused + " refused, " + built + " built");
    }

    interface IoSupplier<T> { T get() throws IOException; }

    static <T> T unchecked(IoSupplier<T> s) {
        try { return s.get(); } catch (IOException e) { throw new RuntimeException(e); }
    }
}
