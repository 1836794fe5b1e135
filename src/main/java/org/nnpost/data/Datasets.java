package org.nnpost.data;

import java.io.IOException;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * Images read in this process, by their files (paths, sizes and modification times): the
     * points of a sweep over image tasks read a dataset once. Held softly, so memory pressure
     * drops them; a file changed on disk is read again.
     */
    private static final Map<String, SoftReference<Images>> LOADED = new ConcurrentHashMap<>();

    /** Train (test false) or test images of a dataset under root, read once per process while the files stay the same. */
    public static Images load(Path root, String name, boolean test) {
        String key = key(root.resolve(name), name, test);
        SoftReference<Images> held = key == null ? null : LOADED.get(key);
        Images im = held == null ? null : held.get();
        if (im != null) return im;
        im = read(root, name, test);
        if (key != null) LOADED.put(key, new SoftReference<>(im));
        return im;
    }

    /** The dataset's files with their sizes and modification times, or null when one cannot be looked at. */
    private static String key(Path dir, String name, boolean test) {
        List<Path> files = new ArrayList<>();
        try {
            switch (name) {
                case "mnist", "fashion-mnist" -> {
                    String prefix = test ? "t10k" : "train";
                    files.add(find(dir, prefix + "-images-idx3-ubyte", name));
                    files.add(find(dir, prefix + "-labels-idx1-ubyte", name));
                }
                case "cifar10" -> {
                    if (test) files.add(dir.resolve(Cifar10.TEST_FILE));
                    else for (String f : Cifar10.TRAIN_FILES) files.add(dir.resolve(f));
                }
                default -> {
                    return null;
                }
            }
            StringBuilder k = new StringBuilder(name).append(test ? "|test" : "|train");
            for (Path f : files)
                k.append('|').append(f.toAbsolutePath().normalize()).append('|').append(Files.size(f)).append('|')
                        .append(Files.getLastModifiedTime(f).toMillis());
            return k.toString();
        } catch (IOException | DataException e) {
            return null;   // read() says what is wrong
        }
    }

    private static Images read(Path root, String name, boolean test) {
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
