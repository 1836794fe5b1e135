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

    public static String get() { return VERSION; }

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
