package org.nnpost.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The sweep's trend plot: lines, error bars, theory, fits and estimates, on linear and log axes. */
class TrendsTest {

    static List<Trends.Line> lines() {
        double[] x = {50, 100, 200, 400}, y = {0.6, 0.5, 0.45, 0.42}, e = {0.02, 0.01, 0.01, Double.NaN};
        return List.of(new Trends.Line("phi=linear", x, y, e, Trends.Style.MEASURED, 0),
                new Trends.Line("theory", x, new double[]{0.4, 0.4, 0.4, 0.4}, null, Trends.Style.THEORY, 0),
                new Trends.Line("fit", new double[]{0, 0.02}, new double[]{0.4, 0.44}, null, Trends.Style.FIT, 1),
                new Trends.Line("N -> infinity", new double[]{0}, new double[]{0.4}, new double[]{0.01}, Trends.Style.ESTIMATE, 1));
    }

    @Test
    void drawsOnLinearAndLogAxesWithTheLegendBesideThePlot() {
        for (boolean logX : new boolean[]{false, true})
            for (boolean logY : new boolean[]{false, true}) {
                BufferedImage img = Trends.plot(lines(), "title", "N", "PR/N", logX, logY, !logX);
                assertEquals(Plots.WIDTH + Trends.LEGEND, img.getWidth());
                assertEquals(Plots.HEIGHT, img.getHeight());
                // the legend's first line sample, right of the plot area, is in the first series' colour;
                // lines are antialiased, so only the filled marker's inside is sure to be the exact colour
                int x0 = img.getWidth() - Trends.LEGEND, found = 0;
                for (int x = x0; x < x0 + 40; x++)
                    for (int y = 40; y < 70; y++) if (img.getRGB(x, y) == Frame.PALETTE[0].getRGB()) found++;
                assertNotEquals(0, found, "legend sample for phi=linear");
            }
    }

    @Test
    void pointsALogAxisCannotShowAreLeftOut() {
        List<Trends.Line> l = List.of(new Trends.Line("a", new double[]{-1, 0, 1, 10}, new double[]{1, 2, 3, -4}, null,
                Trends.Style.MEASURED, 0));
        BufferedImage img = Trends.plot(l, "t", "x", "y", true, true, false);
        assertEquals(Plots.HEIGHT, img.getHeight());
    }
}
