package org.nnpost.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10's binary format: records of one label byte (0..9) and 3072 pixel bytes (1024 red,
 * then green, then blue, each 32 × 32 row-major); data_batch_1..5.bin train, test_batch.bin test.
 */
public final class Cifar10 {
    private Cifar10() {}

    public static final int RECORD = 1 + 3072;
    public static final String[] TRAIN_FILES = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin"};
    public static final String TEST_FILE = "test_batch.bin";

    public static Images train(Path dir) {
        List<Path> files = new ArrayList<>();
        for (String f : TRAIN_FILES) files.add(dir.resolve(f));
        return read("cifar10", files);
    }

    public static Images test(Path dir) { return read("cifar10", List.of(dir.resolve(TEST_FILE))); }

    public static Images read(String name, List<Path> files) {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] b;
            try {
                b = Files.readAllBytes(f);
            } catch (NoSuchFileException e) {
                throw new DataException(f + ": no such file");
            } catch (IOException e) {
                throw new DataException(f + ": cannot read (" + e.getMessage() + ")");
            }
            if (b.length == 0 || b.length % RECORD != 0)
                throw new DataException(f + ": " + b.length + " bytes is not a whole number of CIFAR-10 records of " + RECORD + " bytes (truncated or not CIFAR-10)");
            chunks.add(b);
            total += b.length / RECORD;
        }
        int n = (int) total;
        byte[] pixels = new byte[n * 3072];
        int[] labels = new int[n];
        int k = 0, fi = 0;
        for (byte[] b : chunks) {
            for (int r = 0; r < b.length / RECORD; r++, k++) {
                int lab = b[r * RECORD] & 0xFF;
                if (lab > 9)
                    throw new DataException(files.get(fi) + ": label " + lab + " in record " + r + " is outside 0..9");
                labels[k] = lab;
                System.arraycopy(b, r * RECORD + 1, pixels, k * 3072, 3072);
            }
            fi++;
        }
        return new Images(name, n, 3072, pixels, labels, 10);
    }
}
