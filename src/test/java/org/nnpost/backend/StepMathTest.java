package org.nnpost.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The step's formulas and the rounding that is part of their contract. */
class StepMathTest {

    /** The move rounds each operation in turn: (θ − η·(g + θ·invVar)) + s·ξ, never a fused multiply-add. */
    @Test
    void langevinRoundsEachOperationInTurn() {
        SplittableRandom r = new SplittableRandom(3);
        int fmaWouldDiffer = 0;
        for (int k = 0; k < 100_000; k++) {
            float t = (float) r.nextGaussian(), g = (float) (10 * r.nextGaussian()), eta = (float) (0.1 * r.nextDouble());
            float iv = (float) (0.5 + r.nextDouble()), xi = (float) r.nextGaussian(), s = StepMath.noiseScale(eta);
            float prior = t * iv;
            float force = g + prior;
            float drift = eta * force;
            float moved = t - drift;
            float noise = s * xi;
            float expected = moved + noise;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(StepMath.langevin(t, g, eta, iv, s, xi)));
            float fused = Math.fma(s, xi, t - eta * Math.fma(t, iv, g));
            if (fused != expected) fmaWouldDiffer++;
        }
        assertTrue(fmaWouldDiffer > 1000, "the inputs must tell fused from separate roundings: " + fmaWouldDiffer);
    }

    /** From θ = 0 with no force, η = ½ makes √(2η) = 1: the move is the noise itself (0 + ξ turns −0 into +0). */
    @Test
    void halfStepFromRestIsTheNoise() {
        assertEquals(1f, StepMath.noiseScale(0.5f), 0);
        for (float xi : new float[]{0.3f, -2.5f, Float.MIN_VALUE, 6.66f})
            assertEquals(xi, StepMath.langevin(0f, 0f, 0.5f, 1f, 1f, xi), 0);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(StepMath.langevin(0f, 0f, 0.5f, 1f, 1f, -0f)));
    }

    @Test
    void noiseScaleIsTheSquareRootOfTwoEtaRoundedOnceToFloat() {
        SplittableRandom r = new SplittableRandom(5);
        for (int k = 0; k < 10_000; k++) {
            float eta = (float) Math.scalb(r.nextDouble(), -r.nextInt(30));
            assertEquals((float) Math.sqrt(2.0 * eta), StepMath.noiseScale(eta), 0);
        }
    }

    /**
     * The reverse element subtracts θ′ from θ in float, as the CPU backend always has, and does
     * the rest in double: with θ = 1 and θ′ = −10⁻⁸ the float difference is 1 exactly.
     */
    @Test
    void reverseElementSubtractsTheParametersInFloatAndTheRestInDouble() {
        assertEquals(1.0, StepMath.reverseElement(1f, -1e-8f, 0f, 0.1f, 0f), 0);
        assertNotEquals(1.0, 1.0 - (double) -1e-8f);
        // η (g′ + θ′·invVar) in double: 0.1f · (3 + 2·0.5f)
        double expected = (double) (0.5f - 2f) + 0.1f * (3.0 + 2.0 * 0.5);
        assertEquals(expected, StepMath.reverseElement(0.5f, 2f, 3f, 0.1f, 0.5f), 0);
        assertEquals(expected * expected, StepMath.reverseShare(0.5f, 2f, 3f, 0.1f, 0.5f), 0);
        assertEquals(2.5 / (4.0 * 0.1f), StepMath.reverseTerm(2.5, 0.1f), 0);
    }

    /**
     * With no force at all (g = 0, invVar = 0) the proposal is symmetric: θ − θ′ = −√(2η) ξ, so the
     * reverse term ‖θ − θ′‖²/(4η) is the forward one, ½‖ξ‖², up to rounding.
     */
    @Test
    void withoutForcesTheReverseTermIsTheForwardOne() {
        SplittableRandom r = new SplittableRandom(8);
        float eta = 0.25f, s = StepMath.noiseScale(eta);   // √0.5
        double sum = 0, forward = 0;
        for (int i = 0; i < 1000; i++) {
            float t = (float) r.nextGaussian(), xi = (float) r.nextGaussian();
            float moved = StepMath.langevin(t, 0f, eta, 0f, s, xi);
            sum += StepMath.reverseShare(t, moved, 0f, eta, 0f);
            forward += 0.5 * xi * xi;
        }
        assertEquals(forward, StepMath.reverseTerm(sum, eta), 1e-5 * forward);
    }

    @Test
    void logAcceptanceIsMinusNewPlusOldMinusReversePlusForward() {
        assertEquals(0.0, StepMath.logAcceptance(5, 5, 2, 2), 0);
        assertEquals(-1.5, StepMath.logAcceptance(3, 2, 0.25, 0.75), 0);
        SplittableRandom r = new SplittableRandom(9);
        for (int k = 0; k < 10_000; k++) {
            double un = 1e6 * r.nextDouble(), uo = 1e6 * r.nextDouble(), f = 100 * r.nextDouble(), b = 100 * r.nextDouble();
            assertEquals(Double.doubleToRawLongBits(((-un + uo) - b) + f),
                    Double.doubleToRawLongBits(StepMath.logAcceptance(un, uo, f, b)));
        }
        assertTrue(Double.isNaN(StepMath.logAcceptance(Double.NaN, 1, 0, 0)));
        assertEquals(Double.NEGATIVE_INFINITY, StepMath.logAcceptance(Double.POSITIVE_INFINITY, 1, 0, 0), 0);
    }

    @Test
    void aUniformAcceptsWhenItsLogLiesBelowLogAlpha() {
        assertTrue(StepMath.accepts(1.0, Double.MIN_VALUE));   // log 1 = 0
        assertFalse(StepMath.accepts(1.0, 0.0));
        assertFalse(StepMath.accepts(1.0, -0.0));
        assertTrue(StepMath.accepts(0.5, -0.69));
        assertFalse(StepMath.accepts(0.5, -0.7));
        assertTrue(StepMath.accepts(Math.scalb(1.0, -32), Double.POSITIVE_INFINITY));
        assertFalse(StepMath.accepts(0.5, Double.NEGATIVE_INFINITY));
        assertFalse(StepMath.accepts(0.5, Double.NaN), "a NaN potential is rejected");
        assertFalse(StepMath.accepts(1.0, Double.NaN));
    }
}
