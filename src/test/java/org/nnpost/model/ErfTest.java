package org.nnpost.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ErfTest {
    @Test
    void erfMatchesReferenceValuesTo1e15() {
        // erf at 0.5, 1, 2, 3.5 (tables of Abramowitz & Stegun, extended precision)
        assertEquals(0.5204998778130465, SpecialFunctions.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, SpecialFunctions.erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, SpecialFunctions.erf(2.0), 1e-15);
        assertEquals(0.9999992569016276, SpecialFunctions.erf(3.5), 1e-15);
        assertEquals(-0.8427007929497149, SpecialFunctions.erf(-1.0), 1e-15);
    }

    @Test
    void fastErfIsWithinTwoFloatUlpsOfTheAccurateOne() {
        double worst = 0;
        for (double x = -6; x <= 6; x += 1e-3) {
            double exact = SpecialFunctions.erf(x), fast = SpecialFunctions.erfFast(x);
            double ulp = Math.ulp((float) Math.max(Math.abs(exact), 1e-30));
            worst = Math.max(worst, Math.abs(fast - exact) / ulp);
        }
        assertTrue(worst <= 2, "worst error " + worst + " float ulps");
    }
}
