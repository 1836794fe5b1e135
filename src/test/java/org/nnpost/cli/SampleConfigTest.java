package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.nnpost.data.TaskSpec;
import org.nnpost.model.ModelSpec;
import org.nnpost.model.Phi;
import org.nnpost.model.Scaling;
import org.nnpost.run.RunConfig;
import org.nnpost.sampler.SamplerSpec;

/** Flags and config files become the RunConfig they say, with the documented defaults. */
class SampleConfigTest {

    @TempDir Path tmp;

    private RunConfig parse(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = tmp.resolve("run").toString();
        return SampleCommand.parse(all);
    }

    @Test
    void defaultsAreTheDefaultJob() {
        RunConfig c = parse();
        ModelSpec m = c.model();
        assertEquals(new ModelSpec(1, 64, 64, 2, Phi.RELU, Scaling.MEANFIELD, 10, true, 1, 1), m);
        assertEquals(640.0, m.beta(), 0.0);      // non-lazy: beta = beta0 N
        TaskSpec t = c.task();
        assertEquals("orthogonal", t.kind());
        assertEquals(64, t.P());
        assertEquals(64, t.N0());
        assertEquals(64, t.Ptest());
        assertArrayEquals(new double[]{0.5, 0.5}, t.classWeights(), 0.0);
        assertFalse(t.fixedRatios());
        assertEquals(1.0, t.yPlus(), 0.0);
        assertEquals(-1.0, t.yMinus(), 0.0);
        SamplerSpec s = c.sampler();
        assertEquals("ula", s.algorithm());
        assertArrayEquals(new float[]{0.005f, 0.005f}, s.eta(), 0f);
        assertEquals(4, s.chains());
        assertEquals(10000, s.steps());
        assertEquals(4000, s.burnIn());
        assertEquals(20, s.every());
        assertEquals(300, s.draws());
        assertEquals(10, s.keepDraws());
        assertEquals(1, s.seed());
        assertEquals("auto", c.backend().kind());
        assertEquals("auto", c.progress());
        assertEquals(Runtime.getRuntime().availableProcessors(), c.backend().threads());
        assertFalse(c.sigmaA2PerP());
    }

    @Test
    void defaultRunDirectoryIsUnderRunsNamedByTimeAndNotCreated() {
        RunConfig c = SampleCommand.parse();
        assertEquals(Path.of("runs"), c.outDir().getParent());
        assertTrue(c.outDir().getFileName().toString().matches("\\d{8}-\\d{6}(-\\d+)?"), c.outDir().toString());
        assertFalse(Files.exists(c.outDir()));
        assertEquals(Path.of("runs", "20260102-030405"),
                SampleCommand.defaultOutDir(LocalDateTime.of(2026, 1, 2, 3, 4, 5)));
        assertEquals(Path.of("runs", "fig4"), SampleCommand.parse("--name", "fig4").outDir());
    }

    @Test
    void configFileValuesApplyAndFlagsOverrideThem() throws IOException {
        Path cfg = Files.writeString(tmp.resolve("run.json"), """
                {"N": 200, "N0": 220, "P": 200, "phi": "erf", "eta": [0.01, 0.001], "beta_scaling": false,
                 "sigma_a2": 4, "sigma_a2_per_P": true, "class_ratios": [0.5, 0.25, 0.25], "y_minus": 0.5,
                 "seed": 4294967295, "chains": 16}
                """);
        RunConfig c = parse("--config", cfg.toString(), "--N", "100", "--chains", "8");
        assertEquals(100, c.model().N());                    // flag over file
        assertEquals(8, c.sampler().chains());               // flag over file
        assertEquals(220, c.model().N0());
        assertEquals(200, c.task().P());
        assertEquals(Phi.ERF, c.model().phi());
        assertArrayEquals(new float[]{0.01f, 0.001f}, c.sampler().eta(), 0f);
        assertFalse(c.model().betaScaling());
        assertEquals(10.0, c.model().beta(), 0.0);
        assertTrue(c.sigmaA2PerP());
        assertEquals(4.0 / 200, c.model().sigmaA2(), 1e-15);
        assertEquals(3, c.model().m());
        assertTrue(c.task().fixedRatios());
        assertArrayEquals(new double[]{0.5, 0.25, 0.25}, c.task().classWeights(), 1e-15);
        assertEquals(0.5, c.task().yMinus(), 0.0);
        assertEquals(-1, c.sampler().seed());                // 2^32 - 1 as the unsigned key word
    }

    @Test
    void etaIsOneValueForAllGroupsOrOnePerGroup() {
        assertArrayEquals(new float[]{1e-3f, 1e-3f, 1e-3f, 1e-3f}, parse("--L", "3", "--eta", "1e-3").sampler().eta(), 0f);
        assertArrayEquals(new float[]{0.02f, 0.01f, 0.005f},
                parse("--L", "2", "--eta", "0.02, 0.01 ,0.005").sampler().eta(), 0f);
        assertArrayEquals(new float[]{0.5f}, parse("--L", "0", "--eta", "0.5").sampler().eta(), 0f);
    }

    @Test
    void mAloneMeansEqualClassesAndRatiosAreNormalised() {
        TaskSpec t = parse("--m", "3").task();
        assertArrayEquals(new double[]{1.0 / 3, 1.0 / 3, 1.0 / 3}, t.classWeights(), 1e-15);
        assertFalse(t.fixedRatios());
        assertEquals(3, parse("--m", "3").model().m());
        TaskSpec r = parse("--class-ratios", "2,1,1", "--m", "3").task();
        assertArrayEquals(new double[]{0.5, 0.25, 0.25}, r.classWeights(), 1e-15);
        assertTrue(r.fixedRatios());
    }

    @Test
    void perPReadoutVarianceIsDividedByP() {
        RunConfig c = parse("--sigma-a2", "64", "--sigma-a2-per-P", "--P", "32");
        assertEquals(2.0, c.model().sigmaA2(), 0.0);
        assertTrue(c.sigmaA2PerP());
    }

    @Test
    void otherChoicesReachTheRecords() {
        RunConfig c = parse("--phi", "tanh", "--scaling", "lazy", "--sampler", "mala", "--backend", "cpu",
                "--threads", "2", "--progress", "lines", "--steps", "100", "--burn-in", "0", "--every", "1",
                "--keep", "100", "--data-seed", "7", "--test-overlap", "1", "--Ptest", "5");
        assertEquals(Phi.TANH, c.model().phi());
        assertEquals(Scaling.LAZY, c.model().scaling());
        assertEquals(10.0, c.model().beta(), 0.0);           // lazy: beta = beta0
        assertEquals("mala", c.sampler().algorithm());
        assertEquals("cpu", c.backend().kind());
        assertEquals(2, c.backend().threads());
        assertEquals("lines", c.progress());
        assertEquals(100, c.sampler().draws());
        assertEquals(100, c.sampler().keepDraws());
        assertEquals(7, c.task().dataSeed());
        assertEquals(1.0, c.task().testOverlap(), 0.0);
        assertEquals(5, c.task().Ptest());
        // a short run keeps half its steps for burn-in and about ten draws unless told otherwise
        SamplerSpec shortRun = parse("--steps", "100").sampler();
        assertEquals(50, shortRun.burnIn());
        assertEquals(5, shortRun.every());
        assertEquals(10, shortRun.draws());
        assertEquals(1, parse("--steps", "3").sampler().every());
    }

    @Test
    void emptyExistingOutputDirectoryIsAccepted() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(empty, SampleCommand.parse("--out", empty.toString()).outDir());
    }
}
