package org.nnpost.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The program's version, one value for `nnpost --version` and every manifest: Maven writes it
 * from pom.xml into a resource at build time, so a run from the classes directory and one from
 * the jar say the same.
 */
public final class Version {
    private Version() {}

    private static final String VERSION = read();
    private static volatile String build;

    public static String get() { return VERSION; }

    /**
     * A fingerprint of the program itself: the SHA-256 of its class files and kernels, in name
     * order. Two builds of one version differ here when their code differs, and a checkpoint is
     * resumed bit for bit only by the build that wrote it. "unknown" where the code cannot be read.
     */
    public static String build() {
        String b = build;
        if (b == null) build = b = fingerprint();
        return b;
    }

    private static String fingerprint() {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            java.net.URL where = Version.class.getProtectionDomain().getCodeSource().getLocation();
            java.nio.file.Path root = java.nio.file.Path.of(where.toURI());
            java.util.TreeMap<String, byte[]> files = new java.util.TreeMap<>();
            if (java.nio.file.Files.isDirectory(root)) {
                try (var s = java.nio.file.Files.walk(root)) {
                    for (java.nio.file.Path p : s.filter(java.nio.file.Files::isRegularFile).toList()) {
                        String name = root.relativize(p).toString().replace('\\', '/');
                        if (ours(name)) files.put(name, java.nio.file.Files.readAllBytes(p));
                    }
                }
            } else {
                try (var jar = new java.util.jar.JarFile(root.toFile())) {
                    for (var e : java.util.Collections.list(jar.entries()))
                        if (!e.isDirectory() && ours(e.getName())) files.put(e.getName(), jar.getInputStream(e).readAllBytes());
                }
            }
            for (var e : files.entrySet()) {
                sha.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(e.getValue());
            }
            return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static boolean ours(String name) {
        return (name.startsWith("org/nnpost/") && name.endsWith(".class")) || name.startsWith("kernels/");
    }

    private static String read() {
        try (InputStream in = Version.class.getResourceAsStream("/org/nnpost/version.properties")) {
            if (in == null) throw new IllegalStateException("version.properties is missing from the build");
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.startsWith("${"))
                throw new IllegalStateException("version.properties was not filled in by the build: " + v);
            return v.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
