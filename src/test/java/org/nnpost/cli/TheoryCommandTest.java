package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Json;
import org.nnpost.io.Npy;

class TheoryCommandTest {
    @TempDir Path tmp;

    int run(String... args) {
        Cli.Result r = Cli.run(args);
        assertEquals("", r.err());
        return r.code();
    }

    @Test
    void linearMeanFieldNetworkGetsItsReadoutCovarianceAndBothPredictors() {
        Path out = tmp.resolve("t");
        assertEquals(0, run("theory", "--phi", "linear", "--N", "200", "--N0", "40", "--P", "20", "--Ptest", "10", "--out", out.toString()));
        JsonNode j = Json.read(out.resolve("theory.json"));
        // two classes with targets +-1 make y1 = -y2, so the likelihood never pulls on a1 + a2:
        // U is symmetric and its (1, 1) direction keeps the prior variance sigma_a^2 = 1
        JsonNode u = j.at("/mean_field/readout_covariance");
        assertEquals(u.get(1).asDouble(), u.get(2).asDouble(), 1e-12);
        assertEquals(1.0, u.get(0).asDouble() + u.get(1).asDouble(), 1e-9);
        assertEquals(20 * 2, Npy.read(out.resolve("mf_mean_train.npy")).doubles().length);
        assertTrue(Files.exists(out.resolve("nngp_kernel_l1_test.npy")));
        assertEquals(0.0, j.at("/lazy_gp/train_error/overall").asDouble(), 0);
    }

    @Test
    void nonlinearNetworkGetsTheGpOnlyAndSaysWhy() {
        Path out = tmp.resolve("r");
        assertEquals(0, run("theory", "--phi", "relu", "--L", "2", "--N0", "30", "--P", "10", "--Ptest", "5", "--out", out.toString()));
        JsonNode j = Json.read(out.resolve("theory.json"));
        assertFalse(j.at("/mean_field/applies").asBoolean(true));
        assertTrue(Files.exists(out.resolve("nngp_kernel_l2_train.npy")));
        assertTrue(Files.exists(out.resolve("gp_mean_test.npy")));
    }

    @Test
    void aFinishedErfRunGetsTheNonlinearTheoryFromItsOwnData() {
        Path runDir = tmp.resolve("run");
        Cli.Result s = Cli.run("sample", "--phi", "erf", "--N", "20", "--N0", "16", "--P", "12", "--Ptest", "4", "--steps", "200",
                "--burn-in", "100", "--chains", "2", "--beta0", "2", "--theory", "--out", runDir.toString());
        assertEquals(0, s.code(), s.out() + s.err());
        assertTrue(s.out().contains("nonlinear mean-field theory"), s.out());
        JsonNode j = Json.read(runDir.resolve("theory.json"));
        assertTrue(j.at("/nonlinear_mean_field/applies").asBoolean(), j.toString());
        assertEquals("regular", j.at("/nonlinear_mean_field/status").asText());
        assertEquals(12 * 12, Npy.read(runDir.resolve("mfnl_kernel_train.npy")).doubles().length);
        Path out = tmp.resolve("elsewhere");
        assertEquals(0, run("theory", runDir.toString(), "--out", out.toString()));
        assertEquals(j.at("/nonlinear_mean_field/readout_covariance").toString(),
                Json.read(out.resolve("theory.json")).at("/nonlinear_mean_field/readout_covariance").toString(), "the same theory from the same data");
    }

    @Test
    void aDirectoryThatIsNoRunIsOneLineAndExitCodeTwo() {
        Cli.Result r = Cli.run("theory", tmp.resolve("nothing").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("no such directory"), r.err());
        Cli.Result u = Cli.run("theory", tmp.toString(), "--bogus");
        assertEquals(2, u.code(), u.err());
        assertEquals(1, u.err().strip().lines().count(), u.err());
    }
}
