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
        assertEquals(4, j.path("runs").get(1).at("/readout/covariance_theory").size(), "erf on the orthogonal task carries the nonlinear theory's U");
        assertTrue(j.path("runs").get(1).at("/coding/codes_theory").isObject(), "and its code shares");
        assertTrue(j.path("runs").get(2).path("coding").has("scheme"));
        String text = Files.readString(out.resolve("reproduction.txt"));
        assertTrue(text.contains("readout covariance U, mean-field theory"), text);
        assertTrue(text.contains("Paper:"), text);
    }

    @Test
    void printStudyIsTheFiguresStudyFileAtTheGivenScale() {
        Cli.Result r = run("reproduce", "fig5", "--print-study", "--scale", "0.1", "--steps", "1000", "--chains", "3", "--seed", "7");
        assertEquals(0, r.code(), r.err());
        JsonNode s = Json.parse(r.out());
        assertEquals(50, s.at("/base/N").asInt());
        assertEquals(52, s.at("/base/N0").asInt());
        assertEquals(1000, s.at("/base/steps").asInt());
        assertEquals(400, s.at("/base/burn_in").asInt());
        assertEquals(3, s.at("/base/chains").asInt());
        assertEquals(7, s.at("/seeds/0").asInt());
        assertEquals(4, s.at("/grid/y_minus").size());
        assertEquals("erf_yminus_m1.00", s.at("/names/0").asText());
        Cli.Result full = run("reproduce", "fig1", "--print-study");
        assertEquals(500, Json.parse(full.out()).at("/base/N").asInt(), "scale 1: the captions' sizes");
        assertBadInput(run("reproduce", "fig1", "--print-study", "--threads", "2"), "--threads 2: has no effect on the study");
    }

    @Test
    void aFiguresStudyRunByTheSweepIsDrawnByReproduceWithoutRunningAgain() throws IOException {
        String[] sizes = {"--scale", "0.02", "--steps", "200", "--chains", "2"};
        Cli.Result p = run("reproduce", "fig1", "--print-study", sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5]);
        assertEquals(0, p.code(), p.err());
        Path study = Files.writeString(tmp.resolve("fig1.json"), p.out());
        Path out = tmp.resolve("fig1-study");
        Cli.Result s = run("sweep", study.toString(), "--out", out.toString(), "--backend", "cpu", "--threads", "1", "--progress", "off");
        assertEquals(0, s.code(), s.out() + s.err());
        for (String name : new String[]{"linear", "erf", "relu"}) assertTrue(Files.isDirectory(out.resolve(name)), name);
        Cli.Result r = run("reproduce", "fig1", sizes[0], sizes[1], sizes[2], sizes[3], sizes[4], sizes[5], "--backend", "cpu",
                "--threads", "2", "--progress", "off", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 points: 3 complete"), "the runs are not run again: " + r.out());
        assertFalse(r.out().contains(": running"), r.out());
        assertTrue(Files.exists(out.resolve("reproduction.txt")));
        assertTrue(Files.exists(out.resolve("linear/readout.png")));
        Cli.Result other = run("reproduce", "fig1", "--scale", "0.03", sizes[2], sizes[3], sizes[4], sizes[5], "--backend", "cpu",
                "--progress", "off", "--out", out.toString());
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().startsWith("nnpost reproduce: " + out.resolve("study.json") + ": the study differs"), other.err());
        assertTrue(other.err().contains("  base.N: 10 -> 15"), other.err());
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
