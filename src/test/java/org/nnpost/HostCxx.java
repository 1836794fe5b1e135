package org.nnpost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Builds a driver in src/test/cuda against the CUDA headers of src/main/cuda with the host C++
 * compiler, the CUDA intrinsics replaced by src/test/cuda/host_shim.h (each _rn intrinsic one IEEE
 * operation, -ffp-contract=off so that no multiply and add are fused), and talks to it one line per
 * request. Tests that use it are skipped, with the reason, where no C++ compiler is on the PATH.
 */
public final class HostCxx {
    private HostCxx() {}

    /** Compiles src/test/cuda/{driver} into tmp; skips the calling test where no compiler runs. */
    public static Path compile(Path tmp, String driver, String what) throws IOException, InterruptedException {
        String cxx = null;
        for (String c : new String[]{"c++", "g++", "clang++"}) if (runs(c)) { cxx = c; break; }
        Assumptions.assumeTrue(cxx != null, "no C++ compiler on the PATH: the host check of " + what + " is skipped");
        Path exe = tmp.resolve(driver.replaceFirst("\\.cpp$", ""));
        Process p = new ProcessBuilder(cxx, "-std=c++17", "-O2", "-ffp-contract=off", "-Wno-unknown-pragmas",
                "-include", "src/test/cuda/host_shim.h", "-I", "src/main/cuda", "src/test/cuda/" + driver,
                "-o", exe.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, cxx + " failed:\n" + log);
        return exe;
    }

    private static boolean runs(String command) {
        try {
            Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Feeds the requests, one per line, and returns the driver's answer lines; it must exit with 0. */
    public static List<String> run(Path exe, List<String> requests) throws Exception {
        Process p = new ProcessBuilder(exe.toString()).start();
        Thread feeder = new Thread(() -> {
            try (Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII)) {
                for (String r : requests) w.write(r + "\n");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        feeder.start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) out.add(line);
        }
        feeder.join();
        String name = exe.getFileName().toString();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), name + " did not end");
        assertEquals(0, p.exitValue(), name + " exit status");
        return out;
    }
}
