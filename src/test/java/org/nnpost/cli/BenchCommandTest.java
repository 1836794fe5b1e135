package org.nnpost.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** `nnpost bench` with its optional measurements: the machine's peaks and the chains' ESS/s. */
class BenchCommandTest {

    static String[] run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new String[]{String.valueOf(code), o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void peakAndEssLinesFollowTheRateLine() {
        String[] r = run("bench", "--backend", "cpu", "--preset", "small", "--chains", "2", "--steps", "2", "--repeats", "1",
                "--warmup", "1", "--peak", "--ess-steps", "80", "--threads", "1");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        assertEquals(3, lines.length, r[1]);
        assertTrue(lines[0].contains("chain-steps/s"), lines[0]);
        assertTrue(lines[1].startsWith("cores: SGEMM "), lines[1]);
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("SGEMM ([0-9.]+) GFLOP/s .*copy ([0-9.]+) GB/s").matcher(lines[1]);
        assertTrue(m.find(), lines[1]);
        // any core multiplies faster than 0.1 GFLOP/s and copies faster than 0.1 GB/s; zero means not measured
        assertTrue(Double.parseDouble(m.group(1)) > 0.1 && Double.parseDouble(m.group(2)) > 0.1, lines[1]);
        assertTrue(lines[2].contains("ESS/s"), lines[2]);
    }

    @Test
    void peakInJsonIsOneObjectWithTheMeasuredRatesAndTheStepsFractionOfThePeak() throws Exception {
        String[] r = run("bench", "--backend", "cpu", "--preset", "small", "--chains", "2", "--steps", "2", "--repeats", "1",
                "--warmup", "1", "--peak", "--json", "--threads", "1");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        assertEquals(2, lines.length, r[1]);
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode step = json.readTree(lines[0]), peak = json.readTree(lines[1]);
        double sgemm = peak.get("sgemm_gflops").asDouble(), own = peak.get("backend_sgemm_gflops").asDouble();
        assertTrue(sgemm > 0.1 && own > 0.1 && peak.get("copy_gbs").asDouble() > 0.1, lines[1]);
        assertTrue(sgemm >= own, "the peak is the best kernel's rate: " + lines[1]);
        assertFalse(peak.get("sgemm_kernel").asText().isBlank(), lines[1]);
        // the fraction is the step's GFLOP/s over the peak, not a separately rounded number
        assertEquals(step.get("gflops").asDouble() / sgemm, peak.get("fraction_of_sgemm").asDouble(), 5e-4 + 1e-3 * step.get("gflops").asDouble() / sgemm, lines[1]);
    }

    @Test
    void anUnknownCpuGemmSettingIsABadInputOfOneLine() {
        String key = org.nnpost.backend.cpu.CpuGemm.PROPERTY;
        String before = System.getProperty(key);
        System.setProperty(key, "mkl");
        try {
            String[] r = run("bench", "--backend", "cpu", "--preset", "small", "--chains", "2", "--steps", "2",
                    "--repeats", "1", "--warmup", "1");
            assertEquals("2", r[0], r[2]);
            assertEquals("", r[1]);
            assertEquals("nnpost bench: NNPOST_CPU_GEMM=mkl: unknown (allowed: auto, openblas, java)", r[2].strip());
        } finally {
            if (before == null) System.clearProperty(key); else System.setProperty(key, before);
        }
    }

    @Test
    void tooFewEssStepsIsABadInput() {
        String[] r = run("bench", "--backend", "cpu", "--preset", "small", "--chains", "2", "--steps", "2", "--repeats", "1",
                "--warmup", "1", "--ess-steps", "5");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--ess-steps 5"), r[2]);
    }

    /** An ESS run whose chains blow up has no ESS: exit code 3, one line naming --eta, nothing on stdout. */
    @Test
    void anEssRunThatDivergesExitsWith3NamingTheStepSize() {
        for (boolean json : new boolean[]{false, true}) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("bench", "--backend", "cpu", "--preset", "small",
                    "--chains", "2", "--steps", "2", "--repeats", "1", "--warmup", "1", "--threads", "1", "--ess-steps", "50", "--eta", "1e3"));
            if (json) args.add("--json");
            String[] r = run(args.toArray(String[]::new));
            assertEquals("3", r[0], r[2]);
            assertEquals("", r[1], "no rate printed as if all were fine");
            assertEquals(1, r[2].lines().count(), r[2]);
            assertTrue(r[2].startsWith("nnpost bench: --eta 1e3: 2 of the ESS run's chains diverged"), r[2]);
            assertFalse(r[2].contains("NaN"), r[2]);
        }
    }

    @Test
    void aTimingRunWhoseChainsDivergedReportsNoRate() {
        org.nnpost.bench.Bench.Result r = new org.nnpost.bench.Bench.Result("small", "cpu", "cpu backend", 1, 16, 1, 2,
                new double[]{100}, 100, 100, 100, 0.5, 3, "ula");
        org.nnpost.spec.NnpostException e = BenchCommand.timingDiverged(r);
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().startsWith("3 of 16 chains of the timing run diverged"), e.getMessage());
        assertTrue(e.getMessage().contains("fixed step size 0.0001, which no flag sets"), e.getMessage());
        assertFalse(e.getMessage().contains("chain-steps/s"), e.getMessage());
        assertEquals(null, BenchCommand.timingDiverged(new org.nnpost.bench.Bench.Result("small", "cpu", "cpu backend", 1, 16, 1, 2,
                new double[]{100}, 100, 100, 100, 0.5, 0, "ula")));
    }

    @Test
    void anEssRunWithoutAnEssNamesTheStepSize() {
        double nan = Double.NaN;
        org.nnpost.bench.Bench.Mixing flat = new org.nnpost.bench.Bench.Mixing("small", "ula", new float[]{1e-30f, 1e-30f}, false, 2f,
                400, 1, new String[]{"potential", "loss"}, new double[]{nan, 5}, 5, nan, nan, nan, nan, nan, nan, 1, 4, 0);
        org.nnpost.spec.NnpostException e = BenchCommand.essFailed(flat, "--eta 1e-30");
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().startsWith("--eta 1e-30: the ESS run's potential trace or readout gives no ESS"), e.getMessage());
    }
}
