package org.nnpost.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.cli.Main;
import org.nnpost.io.Npy;

/**
 * Packing on the GPU: a β₀ × y₋ × seed sweep run as one pack of chains on CUDA writes every
 * point's arrays as running the points one by one on CUDA does. The pack's GEMMs cover more
 * chains per call, and cuBLAS may pick another algorithm for another batch count, so the two
 * agree to float rounding rather than bit for bit: over 40 steps, as CudaBackendGpuTest holds
 * the GPU to the CPU over 20, to 1e-4 of each array's scale; integer arrays exactly.
 */
@Tag("gpu")
class PackedSweepGpuTest {
    static final double TOL = 1e-4;
    @TempDir Path tmp;

    @BeforeEach
    void gpu() { GpuReport.assumeGpu(); }

    static final String STUDY = """
            {"base": {"L": 1, "N": 64, "N0": 40, "P": 30, "Ptest": 10, "phi": "erf", "chains": 8, "steps": 40, "burn_in": 10,
                      "every": 3, "keep": 3, "eta": 0.002, "sampler": "%s", "backend": "cuda"},
             "grid": {"beta0": [2, 5]},
             "zip": {"y_minus": [-1, 0], "sigma_a2": [1, 0.5]},
             "seeds": 2}
            """;

    static String sweep(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        String[] a = new String[args.length + 1];
        a[0] = "sweep";
        System.arraycopy(args, 0, a, 1, args.length);
        int code = Main.run(a, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        assertEquals(0, code, e.toString(StandardCharsets.UTF_8));
        return o.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPackedSweepOnTheGpuWritesEveryPointAsOneByOne() throws IOException {
        for (String sampler : List.of("ula", "mala", "uld")) {
            Path file = Files.writeString(tmp.resolve(sampler + ".json"), STUDY.formatted(sampler));
            Path alone = tmp.resolve(sampler + "-alone"), packed = tmp.resolve(sampler + "-packed");
            sweep(file.toString(), "--out", alone.toString(), "--progress", "off", "--pack", "off");
            String out = sweep(file.toString(), "--out", packed.toString(), "--progress", "off", "--pack", "on");
            assertTrue(out.contains("packing: 8 points in 1 batch"), out);
            double worst = 0;
            try (Stream<Path> points = Files.list(alone)) {
                for (Path x : points.filter(Files::isDirectory).toList()) {
                    Path y = packed.resolve(x.getFileName());
                    try (Stream<Path> files = Files.list(x)) {
                        for (Path f : files.filter(p -> p.toString().endsWith(".npy")).toList()) {
                            Npy.Array a = Npy.read(f), b = Npy.read(y.resolve(f.getFileName()));
                            assertArrayEquals(a.shape(), b.shape(), f.toString());
                            if (a.dtype() != null && a.descr().charAt(1) == 'f') worst = Math.max(worst, GpuReport.relDiff(b.doubles(), a.doubles()));
                            else assertEquals(a.data(), b.data(), f.toString());
                        }
                    }
                }
            }
            GpuReport.row("packed sweep vs one by one, " + sampler + " (rel)", worst, TOL, worst <= TOL);
            assertTrue(worst <= TOL, sampler + ": packed and one-by-one arrays differ by " + worst + " of their scale");
        }
    }
}
