package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Json;

/** `nnpost plot`: panels of a finished sample run, and one-line refusals. */
class PlotCommandTest {
    @TempDir Path tmp;

    static Cli.Result run(String... args) { return Cli.run(args); }

    @Test
    void sampleRunOfAReluNetworkGetsItsPanels() throws IOException {
        Path dir = tmp.resolve("r");
        assertEquals(0, run("sample", "--N", "30", "--N0", "12", "--P", "10", "--Ptest", "6", "--L", "2", "--chains", "2",
                "--steps", "100", "--burn-in", "40", "--every", "6", "--keep", "3", "--threads", "1", "--backend", "cpu",
                "--progress", "off", "--out", dir.toString()).code());
        Cli.Result r = run("plot", dir.toString());
        assertEquals(0, r.code(), r.err());
        for (String png : new String[]{"kernel_l1_train.png", "kernel_l2_train.png", "kernel_l2_test.png",
                "activations_train.png", "readout.png", "predictor.png", "errors.png", "trace_sqnorm_a.png"})
            assertNotNull(ImageIO.read(dir.resolve(png).toFile()), png);
        JsonNode a = Json.read(dir.resolve("analysis.json"));
        assertEquals("relu", a.at("/parameters/phi").asText());
        // the readout covariance is read from 2 chains x 3 kept draws x 30 neurons
        assertEquals(2 * 3 * 30, a.at("/readout/samples_per_class").asInt());
        assertTrue(a.at("/readout/covariance_theory").isMissingNode(), "no mean-field theory for ReLU, L = 2");
        assertTrue(a.path("kernel_vs_theory").isMissingNode(), "nor a theory's kernel");
        assertTrue(a.at("/predictor/test/rms_minus_nonlinear_theory").isMissingNode());
        for (JsonNode p : a.path("panels"))
            if (p.path("file").asText().startsWith("kernel_") || p.path("file").asText().startsWith("predictor"))
                assertFalse(p.path("caption").asText().contains("theory"), p.toString());
    }

    @Test
    void missingOrUnfinishedRunIsRefusedInOneLine() throws IOException {
        for (Cli.Result r : new Cli.Result[]{run("plot", tmp.resolve("none").toString()), run("plot"), run("plot", "a", "b")}) {
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        Path half = Files.createDirectory(tmp.resolve("half"));
        Files.writeString(half.resolve("manifest.json"), "{\"status\": \"running\"}");
        Cli.Result r = run("plot", half.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\"running\""), r.err());
    }

    @Test
    void aDivergedRunGetsItsTracePanelsAndTheFlagsSetTheLook() throws IOException {
        Path dir = tmp.resolve("d");
        Cli.Result s = run("sample", "--N", "20", "--N0", "10", "--P", "8", "--Ptest", "4", "--chains", "2", "--steps", "2000",
                "--burn-in", "0", "--every", "2", "--eta", "0.07", "--threads", "1", "--progress", "off", "--out", dir.toString());
        assertEquals(3, s.code(), s.err());
        Cli.Result r = run("plot", dir.toString(), "--dpi", "192", "--size", "600x400");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("diverged"), r.out());
        var img = ImageIO.read(dir.resolve("trace_loss.png").toFile());
        assertEquals(1200, img.getWidth());
        assertEquals(800, img.getHeight());
        assertTrue(Json.read(dir.resolve("analysis.json")).at("/panels/0/caption").asText().contains("chains"));
        Cli.Result svg = run("plot", dir.toString(), "--format", "svg");
        assertEquals(0, svg.code(), svg.err());
        assertTrue(Files.readString(dir.resolve("trace_loss.svg")).startsWith("<svg"));
        for (String[] bad : new String[][]{{"--format", "pdf"}, {"--dpi", "5"}, {"--size", "10x10"}, {"--size", "big"}}) {
            Cli.Result b = run("plot", dir.toString(), bad[0], bad[1]);
            assertEquals(2, b.code(), String.join(" ", bad) + ": " + b.err());
            assertTrue(b.err().contains(bad[0]), b.err());
        }
    }
}
