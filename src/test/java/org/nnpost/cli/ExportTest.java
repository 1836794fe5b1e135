package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nnpost export}: a real tiny run, exported and opened by xarray (Debian's python3-xarray and
 * python3-zarr, for /usr/bin/python3, which .ci/run installs) group by group, every dimension
 * named as docs/OUTPUTS.md says and every value the run's .npy files hold.
 */
class ExportTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");
    @TempDir Path tmp;

    /** Whether /usr/bin/python3 imports these modules; the reason to skip when not. */
    static void assumePython(String... modules) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3 (apt-get install python3-xarray python3-zarr)");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(p.waitFor() == 0, "/usr/bin/python3 lacks " + String.join(", ", modules)
                + " (apt-get install python3-xarray python3-zarr): " + out.strip());
    }

    static Path sample(Path dir, String sampler) {
        Cli.Result r = Cli.run("sample", "--N", "12", "--N0", "10", "--P", "9", "--Ptest", "5", "--m", "3", "--L", "1",
                "--chains", "3", "--steps", "120", "--burn-in", "40", "--every", "4", "--keep", "4", "--threads", "1",
                "--sampler", sampler, "--eta", "0.002", "--progress", "off", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        return dir;
    }

    @Test
    void xarrayOpensEveryGroupWithNamedDimsAndTheRunsValues() throws Exception {
        assumePython("xarray", "zarr", "numpy");
        for (String sampler : new String[]{"ula", "mala"}) {
            Path run = sample(tmp.resolve(sampler), sampler);
            Path store = tmp.resolve(sampler + ".zarr");
            Cli.Result e = Cli.run("export", run.toString(), "--out", store.toString());
            assertEquals(0, e.code(), e.err());
            assertTrue(e.out().contains("az.from_zarr"), e.out());
            Path script = Path.of("src/test/resources/check_export.py").toAbsolutePath();
            Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), store.toString(), run.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "xarray check did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("export ok"), out);
        }
    }

    @Test
    void defaultStoreIsInTheRunAndAnExistingOneIsRefused() throws IOException {
        Path run = sample(tmp.resolve("r"), "ula");
        Cli.Result e = Cli.run("export", run.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(Files.isRegularFile(run.resolve("export.zarr/.zmetadata")));
        assertTrue(Files.isRegularFile(run.resolve("export.zarr/posterior/a/.zarray")));
        Cli.Result again = Cli.run("export", run.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("exists"), again.err());
        Cli.Result nc = Cli.run("export", run.toString(), "--format", "netcdf", "--out", tmp.resolve("x.nc").toString());
        assertEquals(2, nc.code());
        assertEquals(1, nc.err().strip().lines().count(), nc.err());
        assertTrue(nc.err().contains("to_netcdf"), nc.err());
        assertEquals(2, Cli.run("export", tmp.resolve("none").toString()).code());
    }
}
