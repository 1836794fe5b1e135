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
}
