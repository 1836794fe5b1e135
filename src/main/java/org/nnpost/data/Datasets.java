package org.nnpost.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the image datasets live and how each is laid out. The engine never downloads:
 * {@code scripts/fetch-datasets.sh} puts MNIST and Fashion-MNIST under the datasets directory,
 * and CIFAR-10 is read from a directory the user supplies.
 *
 * <p>The directory is, in order: the --data-dir flag, the NNPOST_DATA environment variable,
 * ~/.cache/nnpost/datasets. Each dataset sits in a subdirectory named after it.
 */
public final class Datasets {
    private Datasets() {}

    public static final String ENV = "NNPOST_DATA";
    public static final String[] NAMES = {"mnist", "fashion-mnist", "cifar10"};

    public static Path directory(String flag) {
        if (flag != null && !flag.isBlank()) return Paths.get(flag);
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) return Paths.get(env);
        return Paths.get(System.getProperty("user.home"), ".cache", "nnpost", "datasets");
    }

    public static boolean known(String name) {
        for (String n : NAMES) if (n.equals(name)) return true;
        return false;
    }

    /** Fails with the fetch hint when a dataset's files are not all under root; reads nothing. */
    public static void check(Path root, String name) {
        Path dir = root.resolve(name);
        switch (name) {
            case "mnist", "fashion-mnist" -> {
                for (String f : new String[]{"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) find(dir, f, name);
            }
            case "cifar10" -> {
                for (String f : Cifar10.TRAIN_FILES) requireCifar(dir.resolve(f), dir);
                requireCifar(dir.resolve(Cifar10.TEST_FILE), dir);
            }
            default -> throw new DataException("unknown dataset " + name + " (allowed: mnist, fashion-mnist, cifar10)");
        }
    }

    private static void requireCifar(Path file, Path dir) {
        if (!Files.exists(file))
            throw new DataException("dataset cifar10 not found: " + file + " is missing; CIFAR-10 is not fetched "
                    + "automatically: put its binary version (data_batch_1..5.bin, test_batch.bin) in " + dir);
    }

    /** Train (test false) or test images of a dataset under root. */
    public static Images load(Path root, String name, boolean test) {
        Path dir = root.resolve(name);
        switch (name) {
            case "mnist", "fashion-mnist" -> {
                String prefix = test ? "t10k" : "train";
                Path images = find(dir, prefix + "-images-idx3-ubyte", name);
                Path labels = find(dir, prefix + "-labels-idx1-ubyte", name);
                return Idx.images(name, images, labels, 10);
            }
            case "cifar10" -> {
                requireCifar(dir.resolve(test ? Cifar10.TEST_FILE : Cifar10.TRAIN_FILES[0]), dir);
                return test ? Cifar10.test(dir) : Cifar10.train(dir);
            }
            default -> throw new DataException("unknown dataset " + name + " (allowed: mnist, fashion-mnist, cifar10)");
        }
    }

    private static Path find(Path dir, String base, String name) {
        Path plain = dir.resolve(base), gz = dir.resolve(base + ".gz");
        if (Files.exists(plain)) return plain;
        if (Files.exists(gz)) return gz;
        throw new DataException("dataset " + name + " not found: no " + base + "[.gz] in " + dir
                + "; fetch it with: scripts/fetch-datasets.sh " + name + " (or set --data-dir / " + ENV + ")");
    }
}
