package org.nnpost.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The table's CSV as RFC 4180 has it, numbers with every digit, and the statistics over seeds. */
class SweepTableTest {

    @Test
    void fieldsWithACommaAQuoteOrALineBreakAreQuotedWithTheirQuotesDoubled() {
        assertEquals("plain", SweepTable.field("plain"));
        assertEquals("\"N=50,phi=erf\"", SweepTable.field("N=50,phi=erf"));
        assertEquals("\"say \"\"hi\"\"\"", SweepTable.field("say \"hi\""));
        assertEquals("\"two\r\nlines\"", SweepTable.field("two\r\nlines"));
        assertEquals("", SweepTable.field(""));
    }

    @Test
    void numbersKeepEveryDigitAndUndefinedIsEmpty() {
        double x = 0.1 + 0.2;
        assertEquals(x, Double.parseDouble(SweepTable.cell(x)), 0, "reads back to the same double");
        assertEquals("0.30000000000000004", SweepTable.cell(x));
        assertEquals("1.0E-7", SweepTable.cell(1e-7));
        assertEquals("", SweepTable.cell(Double.NaN));
        assertEquals("", SweepTable.cell(Double.POSITIVE_INFINITY));
        assertEquals("", SweepTable.cell(null));
        assertEquals("12", SweepTable.cell(12L));
        assertEquals("true", SweepTable.cell(true));
    }

    static SweepTable.Row row(String status, double v) {
        return new SweepTable.Row("p", status, Map.of("seed", "1"), Map.of("x", v), null);
    }

    @Test
    void meanStandardErrorAndCountOverTheValuesThatAreDefined() {
        double[] s = SweepTable.stats(List.of(row("complete", 1), row("complete", 2), row("complete", 4), row("complete", Double.NaN)), "x");
        assertEquals(7.0 / 3, s[0], 1e-15);
        double sd = Math.sqrt(((1 - 7.0 / 3) * (1 - 7.0 / 3) + (2 - 7.0 / 3) * (2 - 7.0 / 3) + (4 - 7.0 / 3) * (4 - 7.0 / 3)) / 2);
        assertEquals(sd / Math.sqrt(3), s[1], 1e-15);
        assertEquals(3, s[2]);
        double[] one = SweepTable.stats(List.of(row("complete", 5)), "x");
        assertEquals(5, one[0]);
        assertTrue(Double.isNaN(one[1]), "no standard error from one value");
        assertTrue(Double.isNaN(SweepTable.stats(List.of(), "x")[0]));
    }

    @Test
    void aLeastSquaresLineThroughExactPointsHasTheirInterceptAndSlope() {
        double[] x = {1.0 / 50, 1.0 / 100, 1.0 / 200, 1.0 / 400}, y = new double[4], se = {0.01, 0.02, 0.01, 0.05};
        for (int i = 0; i < 4; i++) y[i] = 0.4 + 3 * x[i];
        SweepPlot.Fit f = SweepPlot.fit(x, y, se);
        assertEquals(0.4, f.a(), 1e-12);
        assertEquals(3, f.b(), 1e-9);
        assertTrue(f.method().startsWith("weighted"), f.method());
        // weighted: Var(a) = S_xx / (S S_xx - S_x^2) with the weights 1/se^2
        double s0 = 0, s1 = 0, s2 = 0;
        for (int i = 0; i < 4; i++) {
            double w = 1 / (se[i] * se[i]);
            s0 += w;
            s1 += w * x[i];
            s2 += w * x[i] * x[i];
        }
        assertEquals(Math.sqrt(s2 / (s0 * s2 - s1 * s1)), f.aError(), 1e-15);
        SweepPlot.Fit u = SweepPlot.fit(x, y, new double[]{Double.NaN, Double.NaN, Double.NaN, Double.NaN});
        assertTrue(u.method().startsWith("ordinary least squares"), u.method());
        assertEquals(0, u.aError(), 1e-9, "exact points leave no residual");
        assertEquals(null, SweepPlot.fit(new double[]{1}, new double[]{2}, new double[]{0.1}));
    }
}
