package org.nnpost.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kernels/ must be what scripts/build-kernels.sh makes from src/main/cuda today. */
class KernelFreshnessTest {
    static final Path SRC = Path.of("src/main/cuda"), OUT = Path.of("kernels");

    @Test
    void committedHashesMatchTheCudaSources() throws IOException {
        List<String> expected = Files.readAllLines(OUT.resolve("SOURCES.sha256"), StandardCharsets.UTF_8);
        List<String> actual;
        try (Stream<Path> files = Files.walk(SRC)) {
            actual = files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh"))
                    .map(p -> SRC.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .map(rel -> sha256(SRC.resolve(rel)) + "  " + rel)
                    .collect(Collectors.toList());
        }
        assertEquals(expected, actual, "kernels/ is stale: run scripts/build-kernels.sh and commit kernels/");
    }

    @Test
    void everyLaunchedKernelIsAnEntryOfTheShippedPtxAndFatbin() throws IOException {
        String ptx = Files.readString(OUT.resolve("nnpost.ptx"));
        byte[] fatbin = Files.readAllBytes(OUT.resolve("nnpost.fatbin"));
        String fatText = new String(fatbin, StandardCharsets.ISO_8859_1);
        // fatbin files start with the magic 0xBA55ED50, little-endian
        assertEquals(0x50, fatbin[0] & 0xFF);
        assertEquals(0xED, fatbin[1] & 0xFF);
        assertEquals(0x55, fatbin[2] & 0xFF);
        assertEquals(0xBA, fatbin[3] & 0xFF);
        for (String k : CudaBackend.KERNELS) {
            assertTrue(ptx.contains(".entry " + k + "("), "PTX lacks " + k);
            assertTrue(fatText.contains(k), "fatbin lacks " + k);
        }
        assertTrue(ptx.contains(".version 9.0"), "PTX ISA version changed: update KernelImages.PTX_DRIVER");
    }

    /** Where the same nvcc is installed, the committed PTX is byte for byte what it makes now. */
    @Test
    void ptxRebuiltWithTheSameNvccIsIdentical(@TempDir Path tmp) throws Exception {
        String recorded = Files.readString(OUT.resolve("NVCC_VERSION")).trim();
        String installed = nvccVersion();
        Assumptions.assumeTrue(installed != null, "nvcc not on PATH: rebuild check skipped");
        Assumptions.assumeTrue(installed.contains(recorded), "nvcc " + installed + " differs from the recorded " + recorded);
        Process p = new ProcessBuilder("bash", "scripts/build-kernels.sh", "--ptx-only", tmp.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "build-kernels.sh failed");
        assertArrayEquals(Files.readAllBytes(OUT.resolve("nnpost.ptx")), Files.readAllBytes(tmp.resolve("nnpost.ptx")),
                "kernels/nnpost.ptx differs from a fresh build: run scripts/build-kernels.sh");
    }

    private static String nvccVersion() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
