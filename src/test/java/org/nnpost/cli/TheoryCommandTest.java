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
}
