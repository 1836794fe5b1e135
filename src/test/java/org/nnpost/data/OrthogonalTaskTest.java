package org.nnpost.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrthogonalTaskTest {
    static final double[] HALF_QUARTER_QUARTER = {0.5, 0.25, 0.25};

    /**
     * The input kernel X Xᵀ / N0 is the identity. The basis is orthonormal to float64 precision;
     * storing x in float32 perturbs each entry by ≤ 2⁻²⁴|x|, so an entry of X Xᵀ/N0 moves by
     * ≲ 2·2⁻²⁴ ≈ 1.2·10⁻⁷ (Cauchy–Schwarz): 10⁻⁵ is a loose bound.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 17, 40})
    void inputKernelIsTheIdentity(int P) {
        int N0 = 40;
        Dataset d = OrthogonalTask.generate(N0, P, 0, HALF_QUARTER_QUARTER, true, 1, 0, 0.5, 3).train();
        for (int mu = 0; mu < P; mu++)
            for (int nu = 0; nu < P; nu++)
                assertEquals(mu == nu ? 1.0 : 0.0, dot(d.x(), mu, d.x(), nu, N0) / N0, 1e-5, "K(" + mu + "," + nu + ")");
    }

    @Test
    void fixedRatiosGiveExactCounts() {
        Dataset d = OrthogonalTask.generate(48, 40, 0, HALF_QUARTER_QUARTER, true, 1, 0, 0.5, 7).train();
        assertArrayEquals(new int[]{20, 10, 10}, counts(d.labels(), 3));
        // 30 · (½, ¼, ¼) = (15, 7.5, 7.5): the one left over goes to the first of the tied remainders
        Dataset e = OrthogonalTask.generate(32, 30, 0, HALF_QUARTER_QUARTER, true, 1, 0, 0.5, 7).train();
        assertArrayEquals(new int[]{15, 8, 7}, counts(e.labels(), 3));
        // weights need not be normalised
        Dataset f = OrthogonalTask.generate(12, 12, 0, new double[]{1, 2}, true, 1, 0, 0.5, 7).train();
        assertArrayEquals(new int[]{4, 8}, counts(f.labels(), 2));
    }

    /** Drawn labels: each count is Binomial(P, p); within 4 standard deviations. */
    @Test
    void drawnLabelsFollowTheProbabilities() {
        int P = 200;
        Dataset d = OrthogonalTask.generate(P, P, 0, HALF_QUARTER_QUARTER, false, 1, 0, 0.5, 11).train();
        int[] c = counts(d.labels(), 3);
        for (int r = 0; r < 3; r++) {
            double p = HALF_QUARTER_QUARTER[r];
            assertEquals(P * p, c[r], 4 * Math.sqrt(P * p * (1 - p)), "class " + r);
        }
    }

    @Test
    void targetsAreYPlusForTheTrueClassAndYMinusElsewhere() {
        Dataset d = OrthogonalTask.generate(20, 12, 0, HALF_QUARTER_QUARTER, true, 1, -0.5, 0.5, 5).train();
        for (int mu = 0; mu < d.P(); mu++)
            for (int r = 0; r < 3; r++)
                assertEquals(d.labels()[mu] == r ? 1f : -0.5f, d.y()[mu * 3 + r]);
    }

    /**
     * Each test input has norm² N0 and overlap (cosine) exactly ρ with one training input, whose
     * label it carries; with every other training input it overlaps like a random direction,
     * N(0, 1/N0) up to the factor √(1−ρ²): below 5/√N0 (5 standard deviations, over 600 pairs).
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.3, 0.8, 1.0})
    void testInputsHaveTheStatedOverlap(double rho) {
        int N0 = 400, P = 20, Pt = 30;
        Task t = OrthogonalTask.generate(N0, P, Pt, HALF_QUARTER_QUARTER, true, 1, 0, rho, 13);
        Dataset tr = t.train(), te = t.test();
        assertEquals(Pt, te.P());
        double randomBound = 5 / Math.sqrt(N0);
        for (int k = 0; k < Pt; k++) {
            assertEquals(1.0, dot(te.x(), k, te.x(), k, N0) / N0, 1e-5, "norm of test input " + k);
            int matches = 0;
            for (int mu = 0; mu < P; mu++) {
                double cos = dot(te.x(), k, tr.x(), mu, N0) / N0;
                if (rho > 0 && Math.abs(cos - rho) < 1e-5) {
                    matches++;
                    assertEquals(tr.labels()[mu], te.labels()[k], "label of test input " + k);
                } else {
                    assertTrue(Math.abs(cos) < randomBound, "test input " + k + " overlaps training input " + mu + " by " + cos);
                }
            }
            if (rho > 0) assertEquals(1, matches, "training inputs at overlap " + rho + " with test input " + k);
        }
    }

    @Test
    void sameSeedSameTask() {
        Task a = OrthogonalTask.generate(30, 20, 5, HALF_QUARTER_QUARTER, false, 1, 0, 0.5, 99);
        Task b = OrthogonalTask.generate(30, 20, 5, HALF_QUARTER_QUARTER, false, 1, 0, 0.5, 99);
        assertArrayEquals(a.train().x(), b.train().x());
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertArrayEquals(a.test().x(), b.test().x());
    }

    private static double dot(float[] a, int i, float[] b, int j, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) s += (double) a[i * n + k] * b[j * n + k];
        return s;
    }

    private static int[] counts(int[] labels, int m) {
        int[] c = new int[m];
        for (int l : labels) c[l]++;
        return c;
    }
}
