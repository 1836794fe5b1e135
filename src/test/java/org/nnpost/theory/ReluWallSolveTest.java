package org.nnpost.theory;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nnpost.model.Phi;

/**
 * ReLU's mean-field solve on both sides of the wall (SPEC §7): regular solutions and condensates
 * on the orthogonal task, classes ½, ½ (m = 2) or ½, ¼, ¼ (m = 3), σ_w² = σ_a² = 1, including
 * the settings that used to defeat the solve (P = 60, m = 3, β₀ = 10). Each solution must satisfy
 * its defining equations: t = β₀(Y − F) with F the returned train outputs (condensates included),
 * to 1e-9 β₀ max|y| when regular and to 100 e^{−2s/3} β₀ max|y| at a wall of suppression s (the
 * condensate form's own accuracy); U positive definite; the status regular or condensate.
 */
class ReluWallSolveTest {

    @Test
    void theSolveHoldsItsEquationsAcrossTheWall() {
        // P, m, beta0, y-
        double[][] cases = {
                {20, 2, 10, 0}, {20, 3, 3, 0.5},
                {50, 2, 1, -1}, {50, 2, 1, 0.5}, {50, 2, 3, 0}, {50, 2, 10, -1}, {50, 2, 10, 0}, {50, 2, 10, 0.5},
                {60, 3, 10, 0.5}, {100, 2, 3, -1}};
        long start = System.nanoTime();
        for (double[] c : cases) {
            int P = (int) c[0], m = (int) c[1];
            double beta0 = c[2], yMinus = c[3];
            int[] l = NonlinearMeanFieldTest.labels(P, m);
            double[] y = NonlinearMeanFieldTest.targets(l, m, 1, yMinus);
            String at = String.format("P = %d, m = %d, beta0 = %s, y- = %s", P, m, beta0, yMinus);
            NonlinearMeanField th = NonlinearMeanField.solve(Phi.RELU, 1, 1, beta0, l, y, m, 0.5);
            double scale = Math.max(1, beta0);
            double tol;
            if (th.status() == NonlinearMeanField.Status.REGULAR) {
                tol = 1e-9 * scale;
            } else {
                assertEquals(NonlinearMeanField.Status.CONDENSATE, th.status(), at);
                assertFalse(th.condensates().isEmpty(), at);
                double s = Double.POSITIVE_INFINITY;
                for (NonlinearMeanField.Condensate cd : th.condensates()) {
                    s = Math.min(s, cd.suppressionNats());
                    assertTrue(cd.weight() > 0, "a condensate carries a positive share, " + at);
                    assertEquals(1, cd.kappa(), 1e-9, "a condensate sits on its wall, " + at);
                }
                tol = 100 * Math.exp(-2 * s / 3) * scale;
            }
            double res = 0;
            for (int i = 0; i < P * m; i++) res = Math.max(res, Math.abs(th.t()[i] - beta0 * (y[i] - th.fTrain()[i])));
            assertTrue(res <= tol, "t = beta0 (Y - F) to " + tol + ", " + at + " (" + th.status() + "): " + res);
            double minEig = Double.POSITIVE_INFINITY;
            for (double v : Linalg.eigh(th.u(), m).values()) minEig = Math.min(minEig, v);
            assertTrue(minEig > 0.5, "U positive definite (at least the prior's σ_a² along the complement), " + at + ": " + minEig);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 60, "the ReLU solves take seconds: " + seconds + " s for " + cases.length);
    }
}
