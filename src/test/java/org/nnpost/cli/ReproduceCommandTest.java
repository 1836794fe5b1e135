package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnpost.io.Json;

/** `nnpost reproduce`: a tiny fig1 end to end, and one-line refusals of bad input. */
class ReproduceCommandTest {
    @TempDir Path tmp;

    static Cli.Result run(String... args) { return Cli.run(args); }

    @Test
    void tinyFig1WritesThreeRunsPanelsAndTheComparison() throws IOException {
        Path out = tmp.resolve("fig1");
        Cli.Result r = run("reproduce", "fig1", "--scale", "0.02", "--steps", "200", "--chains", "2", "--threads", "1",
                "--backend", "cpu", "--progress", "off", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        // runs this short do not converge: stderr holds their warnings only, one line each, named by run
        for (String line : r.err().lines().toList())
            assertTrue(line.matches("nnpost reproduce: warning: (linear|erf|relu): .+"), r.err());
        assertTrue(r.out().contains("reproduction written: " + out), r.out());
        for (String run : new String[]{"linear", "erf", "relu"}) {
            Path d = out.resolve(run);
            assertTrue(Files.readString(d.resolve("manifest.json")).contains("\"complete\""), run + " not complete");
            for (String png : new String[]{"kernel_l1_train.png", "kernel_l1_test.png", "activations_train.png",
                    "activations_test.png", "readout.png", "predictor.png", "errors.png", "trace_loss.png"}) {
                BufferedImage img = ImageIO.read(d.resolve(png).toFile());
                assertNotNull(img, run + "/" + png + " is not an image");
                assertTrue(img.getWidth() >= 400 && img.getHeight() >= 300, run + "/" + png);
            }
        }
        JsonNode j = Json.read(out.resolve("reproduction.json"));
        assertEquals("fig1", j.path("figure").asText());
        assertEquals(3, j.path("runs").size());
        int listed = 0;
        for (JsonNode run : j.path("runs")) {
            assertTrue(run.path("warnings").isArray(), run.path("run") + " lists its warnings");
            listed += run.path("warnings").size();
        }
        assertEquals(listed, r.err().lines().count(), "each warning printed once");
        JsonNode lin = j.path("runs").get(0);
        assertEquals("linear", lin.path("run").asText());
        assertEquals(4, lin.at("/readout/covariance_theory").size(), "the linear run carries the mean-field U (2 x 2)");
        assertTrue(lin.at("/predictor/test/rms_minus_mean_field").isNumber());
        assertTrue(j.path("runs").get(1).at("/readout/covariance_theory").isMissingNode(), "no mean-field theory for erf");
        assertTrue(j.path("runs").get(2).path("coding").has("scheme"));
        String text = Files.readString(out.resolve("reproduction.txt"));
        assertTrue(text.contains("readout covariance U, mean-field theory"), text);
        assertTrue(text.contains("Paper:"), text);
    }

    void assertBadInput(Cli.Result r, String... fragments) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        for (String f : fragments) assertTrue(r.err().contains(f), r.err());
    }

    @Test
    void unknownFigureIsRefusedInOneLine() {
        assertBadInput(run("reproduce", "fig9", "--out", tmp.resolve("x").toString()), "unknown figure \"fig9\"", "fig1");
        assertBadInput(run("reproduce"), "which figure");
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void scaleOutOfRangeIsRefusedInOneLine() {
        for (String s : new String[]{"0", "-0.5", "1.5", "abc"})
            assertBadInput(run("reproduce", "fig1", "--scale", s, "--out", tmp.resolve("s").toString()), "--scale " + s);
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    @Test
    void fig3WithoutMnistNamesTheFetchScript() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("no-data"));
        assertBadInput(run("reproduce", "fig3", "--scale", "0.1", "--data-dir", empty.toString(),
                "--out", tmp.resolve("f3").toString()), "scripts/fetch-datasets.sh mnist");
        assertFalse(Files.exists(tmp.resolve("f3")));
    }

    @Test
    void helpListsTheFlags() {
        Cli.Result r = run("reproduce", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("--scale"));
        assertTrue(r.out().contains("fig1|fig2|fig3|fig4|fig5"));
    }
}
