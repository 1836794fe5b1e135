package org.nnpost.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Each convergence check on synthetic traces whose answer is known. Every trace here is drawn
 * from a fixed seed, so each assertion is deterministic; the comments say why it would hold for
 * (almost) any seed, so that a passing test is not a lucky draw.
 */
class ConvergenceChecksTest {

    static List<String> codes(List<Warning> w) { return w.stream().map(Warning::code).toList(); }

    static List<Warning> check(double[][] x) { return ConvergenceChecks.trace("x", x, Convergence.of(x)); }

    /** chains [chain][draw] of a linear ramp from −d/2 to d/2 plus iid N(0, 1) noise. */
    static double[][] drifting(int chains, int n, double d, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[chains][n];
        for (int c = 0; c < chains; c++)
            for (int i = 0; i < n; i++) x[c][i] = rng.nextGaussian() + d * ((i + 0.5) / n - 0.5);
        return x;
    }

    /**
     * 4 iid chains of 1000: R̂ − 1 ≈ (χ²₇/7 − 1)/(2·500) stays below 0.004 except with probability
     * 1e-5 (ConvergenceTest), against 0.01; bulk and tail ESS are 4000 within 13% (4 sd), against
     * 400; |z| of the drift exceeds 4 with probability 6e-5.
     */
    @Test
    void iidChainsPassEveryCheck() {
        double[][] x = ConvergenceTest.ar1(4, 1000, 0.0, 0.0, 21);
        assertEquals(List.of(), check(x));
    }

    /** One chain of four shifted by 2 sd: R̂ ≈ 1.3 (ConvergenceTest), far above 1.01. */
    @Test
    void chainsWithShiftedMeansFailRhat() {
        double[][] x = ConvergenceTest.ar1(4, 1000, 0.0, 2.0, 22);
        List<Warning> w = check(x);
        assertTrue(codes(w).contains(Warning.RHAT), w.toString());
        Warning r = w.get(codes(w).indexOf(Warning.RHAT));
        assertEquals("x", r.trace());
        assertEquals(1.01, r.threshold());
        assertTrue(r.value() > 1.2, "rhat " + r.value());
        assertTrue(r.message().startsWith(String.format(java.util.Locale.ROOT, "R-hat of trace x is %.3f (> 1.01): the chains disagree", r.value())),
                r.message());
    }

    /**
     * AR(1) with ρ = 0.999: τ = (1 + ρ)/(1 − ρ) ≈ 2000, so 4 chains of 2000 hold about 4
     * independent draws (the estimator, cut at its first negative pair, gives a few tens at most),
     * against the 400 that 100 per chain asks for.
     */
    @Test
    void slowlyMixingChainsFailBulkAndTailEss() {
        double[][] x = ConvergenceTest.ar1(4, 2000, 0.999, 0.0, 23);
        List<Warning> w = check(x);
        for (String code : List.of(Warning.ESS_BULK, Warning.ESS_TAIL)) {
            assertTrue(codes(w).contains(code), code + " missing: " + w);
            Warning e = w.get(codes(w).indexOf(code));
            assertEquals(400.0, e.threshold());
            assertTrue(e.value() < 100, code + " " + e.value());
            assertTrue(e.message().contains("(< 400, 100 per chain)"), e.message());
        }
    }

    /** The per-chain rule: 100 per chain, so 8 chains need 800. */
    @Test
    void essThresholdIsOneHundredPerChain() {
        assertNull(ConvergenceChecks.ess(Warning.ESS_BULK, "x", 800, 8));
        Warning w = ConvergenceChecks.ess(Warning.ESS_BULK, "x", 799, 8);
        assertEquals(800.0, w.threshold());
        assertEquals("bulk ESS of trace x is 799 (< 800, 100 per chain): too few independent draws for its mean and spread; "
                + "run more steps", w.message());
        assertTrue(Double.isNaN(ConvergenceChecks.ess(Warning.ESS_TAIL, "x", Double.NaN, 4).value()), "undefined fails");
    }

    /**
     * A linear drift of 0.3 sd over the draws of 64 chains of 400: the halves' means differ by
     * 0.15 sd, so R̂ − 1 ≈ 0.15²/8 ≈ 0.003 (plus sampling noise of about 0.0003 for 128 split
     * chains of 200) passes 1.01, and ESS passes; but the halves' means each have a standard error
     * near 1/√(64·200/1.3) = 0.01, so z ≈ 0.15/0.014 ≈ 10, and z &gt; 4 fails with probability
     * below 1e-9 (z's spread under the alternative is about 1). This is what the drift test adds.
     */
    @Test
    void linearDriftFailsStationarityWhereRhatAndEssPass() {
        double[][] x = drifting(64, 400, 0.3, 24);
        List<Warning> w = check(x);
        assertEquals(List.of(Warning.NONSTATIONARY), codes(w), w.toString());
        Warning s = w.get(0);
        assertTrue(s.value() > 6, "|z| " + s.value());
        assertEquals(4.0, s.threshold());
        assertTrue(s.message().startsWith("trace x rises between the first and second half of the draws (|z| = "), s.message());
        assertTrue(ConvergenceChecks.driftZ(drifting(64, 400, -0.3, 24)) < -6, "a falling trace has z < 0");
    }

    /**
     * The false-alarm rate of the drift test on stationary traces. If z were exactly N(0, 1),
     * P(|z| &gt; 4) = 6.3e-5: 1000 iid replicates (4 chains of 200) should give 0.06 alarms, and
     * 3 or more come with probability 4e-5, hence the bound 2. The threshold's margin rests on z
     * being no wider than N(0, 1), which the count beyond 2 checks with power: 45.5 expected
     * (sd 6.6), so more than 45.5 + 4·6.6 = 72 would mean the standard error is too small. The
     * same on AR(1) traces with ρ = 0.9 (τ = 19, 53 effective draws per chain), where the
     * standard error rests on the estimated ESS: 200 replicates, 9.1 expected beyond 2 (sd 3.0),
     * bound 9.1 + 4·3.0 = 21. Measured with another seed on 4000 replicates each: sd(z) 0.97 (iid)
     * and 0.98 (AR(1)), none beyond 4.
     */
    @Test
    void stationaryTracesRaiseFewFalseAlarms() {
        Random seeds = new Random(25);
        int beyond2 = 0, beyond4 = 0;
        for (int r = 0; r < 1000; r++) {
            double z = ConvergenceChecks.driftZ(ConvergenceTest.ar1(4, 200, 0.0, 0.0, seeds.nextLong()));
            if (Math.abs(z) > 2) beyond2++;
            if (Math.abs(z) > ConvergenceChecks.DRIFT_Z) beyond4++;
        }
        assertTrue(beyond4 <= 2, beyond4 + " alarms in 1000 iid replicates");
        assertTrue(beyond2 <= 72, beyond2 + " of 1000 beyond |z| = 2, 45.5 expected");
        int ar2 = 0, ar4 = 0;
        for (int r = 0; r < 200; r++) {
            double z = ConvergenceChecks.driftZ(ConvergenceTest.ar1(4, 1000, 0.9, 0.0, seeds.nextLong()));
            if (Math.abs(z) > 2) ar2++;
            if (Math.abs(z) > ConvergenceChecks.DRIFT_Z) ar4++;
        }
        assertTrue(ar4 <= 1, ar4 + " alarms in 200 AR(1) replicates");
        assertTrue(ar2 <= 21, ar2 + " of 200 AR(1) beyond |z| = 2, 9.1 expected");
    }

    /** A chain that never moves (MALA accepting nothing): R̂ is infinite or undefined; one warning per trace says so. */
    @Test
    void stuckChainsFailRhatOnce() {
        double[][] own = {{1, 1, 1, 1, 1, 1}, {2, 2, 2, 2, 2, 2}, {4, 4, 4, 4, 4, 4}};
        List<Warning> w = check(own);
        assertEquals(List.of(Warning.RHAT), codes(w), w.toString());
        assertTrue(w.get(0).message().contains("is infinite (> 1.01): no chain moves"), w.get(0).message());
        assertEquals(Double.POSITIVE_INFINITY, w.get(0).value());

        double[][] same = {{3, 3, 3, 3}, {3, 3, 3, 3}};
        w = check(same);
        assertEquals(List.of(Warning.RHAT), codes(w), w.toString());
        assertTrue(Double.isNaN(w.get(0).value()));
        assertTrue(w.get(0).message().contains("is undefined"), w.get(0).message());
    }

    /** Fewer than 4 draws per chain: one warning for the run, not one per trace. */
    @Test
    void tooFewDrawsGiveOneWarning() {
        double[][] x = {{1, 2, 3}, {2, 3, 1}};
        List<Warning> w = ConvergenceChecks.all(new String[]{"a", "b"}, List.of(x, x),
                List.of(Convergence.of(x), Convergence.of(x)), null, 100);
        assertEquals(List.of(Warning.DRAWS), codes(w), w.toString());
        assertEquals(3.0, w.get(0).value());
        assertNull(w.get(0).trace());
        assertNull(w.get(0).chains());
        assertEquals("only 3 draws per chain", ConvergenceChecks.reliability(w));
        assertEquals(List.of(Warning.DRAWS), codes(ConvergenceChecks.all(new String[]{"a"}, List.<double[][]>of(new double[2][0]),
                List.of(Convergence.of(new double[2][0])), null, 100)), "no draws at all");
    }

    @Test
    void acceptanceOutsideItsBandFailsByGroup() {
        long steps = 1000;
        assertEquals(List.of(), ConvergenceChecks.acceptance(new long[]{200, 574, 950}, steps), "0.2 and 0.95 pass");
        List<Warning> w = ConvergenceChecks.acceptance(new long[]{0, 600, 0, 199, 50, 951, 0}, steps);
        assertEquals(3, w.size(), w.toString());

        Warning zero = w.get(0);
        assertEquals(Warning.ACCEPTANCE, zero.code());
        assertArrayEquals(new int[]{0, 2, 6}, zero.chains());
        assertEquals(0.0, zero.value());
        assertEquals("MALA accepted no proposal in 3 of 7 chains (0, 2, 6): the step size is far too large; lower --eta",
                zero.message());

        Warning low = w.get(1);
        assertArrayEquals(new int[]{4, 3}, low.chains(), "the worst chain first");
        assertEquals(0.05, low.value());
        assertEquals(0.2, low.threshold());
        assertEquals("MALA acceptance is below 0.2 in 2 of 7 chains (3, 4; lowest 0.050 in chain 4): the step size is too large; "
                + "lower --eta", low.message());

        Warning high = w.get(2);
        assertArrayEquals(new int[]{5}, high.chains());
        assertEquals(0.95, high.threshold());
        assertEquals("MALA acceptance is 0.951 in chain 5 of 7 (> 0.95): the step size is so small that the chains creep; "
                + "raise --eta", high.message());

        List<Warning> all = ConvergenceChecks.acceptance(new long[]{0, 0, 0, 0}, steps);
        assertEquals("MALA accepted no proposal in 4 of 4 chains: the step size is far too large; lower --eta",
                all.get(0).message());
    }

    @Test
    void reliabilityNamesTheWorstRhatAndEssOnly() {
        List<Warning> w = List.of(
                ConvergenceChecks.rhat("a", 1.02), ConvergenceChecks.rhat("b", 1.39),
                ConvergenceChecks.ess(Warning.ESS_BULK, "a", 50, 4), ConvergenceChecks.ess(Warning.ESS_BULK, "b", 10, 4),
                ConvergenceChecks.acceptance(new long[]{0}, 10).get(0));
        assertEquals("max R-hat 1.390 > 1.01, min bulk ESS 10 < 400", ConvergenceChecks.reliability(w));
        assertNull(ConvergenceChecks.reliability(ConvergenceChecks.acceptance(new long[]{0}, 10)), "acceptance alone");
        assertNull(ConvergenceChecks.reliability(List.of()));
        assertEquals("max R-hat infinite > 1.01", ConvergenceChecks.reliability(List.of(ConvergenceChecks.rhat("a", Double.POSITIVE_INFINITY))));
    }

    @Test
    void rhatAtTheThresholdPasses() {
        assertNull(ConvergenceChecks.rhat("x", 1.01));
        assertEquals(Warning.RHAT, ConvergenceChecks.rhat("x", Math.nextUp(1.01)).code());
    }

    /** A failing number never reads as its limit: more decimals where rounding would meet it. */
    @Test
    void numbersNearTheirLimitKeepTheirSide() {
        assertTrue(ConvergenceChecks.rhat("x", 1.0104).message().startsWith("R-hat of trace x is 1.0104 (> 1.01)"));
        assertTrue(ConvergenceChecks.rhat("x", 1.39).message().startsWith("R-hat of trace x is 1.390 (> 1.01)"));
        assertTrue(ConvergenceChecks.ess(Warning.ESS_TAIL, "x", 399.6, 4).message().startsWith("tail ESS of trace x is 399.6 (< 400,"));
        assertTrue(ConvergenceChecks.acceptance(new long[]{1996}, 10000).get(0).message().startsWith("MALA acceptance is 0.1996 in"));
    }

    @Test
    void aWarningIsOneLine() {
        assertThrows(IllegalArgumentException.class, () -> new Warning("rhat", "x", null, 2, 1.01, "two\nlines"));
    }
}
