package org.nnpost.report;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every panel is a valid PNG of the stated size with real content: pixel statistics that a blank
 * or one-colour image fails (several colours, a fair share of non-white pixels), and a heatmap
 * puts a known matrix's largest entry where it belongs.
 */
class PlotsTest {
    @TempDir Path tmp;

    static final int WHITE = 0xFFFFFFFF;

    /** Writes the image as PNG, reads it back, checks its size and returns it. */
    BufferedImage roundTrip(String name, BufferedImage img, int width, int height) throws IOException {
        Path p = Png.write(tmp.resolve(name + ".png"), img);
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(p), 8);
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, head, "PNG signature");
        BufferedImage back = ImageIO.read(p.toFile());
        assertNotNull(back, "ImageIO cannot read " + p);
        assertEquals(width, back.getWidth());
        assertEquals(height, back.getHeight());
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".partial")), "temporary file left behind");
        }
        return back;
    }

    /**
     * Content, not blankness: at least minColours distinct colours, and between minInk and 0.95
     * of the pixels not white (a blank image has one colour and no ink; a filled one is all ink).
     */
    static void assertDrawn(BufferedImage img, int minColours, double minInk) {
        Set<Integer> colours = new HashSet<>();
        long ink = 0, n = (long) img.getWidth() * img.getHeight();
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) {
                int c = img.getRGB(x, y);
                colours.add(c);
                if (c != WHITE) ink++;
            }
        assertTrue(colours.size() >= minColours, "only " + colours.size() + " colours");
        double f = (double) ink / n;
        assertTrue(f >= minInk && f <= 0.95, "non-white fraction " + f);
    }

    @Test
    void blankImageFailsTheContentCheck() {
        BufferedImage blank = new BufferedImage(100, 80, BufferedImage.TYPE_INT_RGB);
        var g = blank.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, 100, 80);
        g.dispose();
        assertThrows(AssertionError.class, () -> assertDrawn(blank, 5, 0.02));
    }

    @Test
    void heatmapPutsTheLargestEntryInItsCell() throws IOException {
        int rows = 4, cols = 5, rMax = 1, cMax = 3;
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = 0.1 * i;   // increasing, all below the maximum
        v[rMax * cols + cMax] = 10;
        BufferedImage img = roundTrip("heat", Plots.heatmap(new Plots.Matrix(rows, cols, v), "known matrix", "column", "row",
                "value", new int[0], new int[0]), Plots.WIDTH, Plots.HEIGHT + 20);
        assertDrawn(img, 20, 0.3);
        int top = Colormap.forData(v).rgb(10);
        Rectangle area = Plots.heatmapArea();
        long sx = 0, sy = 0, count = 0;
        for (int y = area.y; y < area.y + area.height; y++)
            for (int x = area.x; x < area.x + area.width; x++)
                if (img.getRGB(x, y) == top) { sx += x; sy += y; count++; }
        // the cell is a twentieth of the area; grid lines and borders may take a few pixels
        double cell = (double) area.width * area.height / (rows * cols);
        assertEquals(cell, count, 0.1 * cell, "pixels of the largest entry's colour");
        double cx = (double) sx / count, cy = (double) sy / count;
        assertEquals(area.x + (cMax + 0.5) * area.width / cols, cx, 2.0, "column of the largest entry");
        assertEquals(area.y + (rMax + 0.5) * area.height / rows, cy, 2.0, "row of the largest entry (row 0 at the top)");
    }

    @Test
    void kernelSortsInputsByClass() throws IOException {
        int P = 30;
        int[] labels = new int[P];
        for (int i = 0; i < P; i++) labels[i] = (i * 7) % 3;   // classes interleaved
        double[] k = new double[P * P];
        for (int a = 0; a < P; a++)
            for (int b = 0; b < P; b++) k[a * P + b] = labels[a] == labels[b] ? 1 : 0;
        BufferedImage img = roundTrip("kernel", Plots.kernel(k, P, labels, "kernel"), Plots.WIDTH, Plots.HEIGHT + 20);
        // sorted by class, the same-class blocks are on the diagonal: the first and last tenth of
        // the diagonal are the largest value, the corners the smallest
        Rectangle a = Plots.heatmapArea();
        Colormap cm = Colormap.forData(k);
        assertEquals(cm.rgb(1), img.getRGB(a.x + a.width / 20, a.y + a.height / 20));
        assertEquals(cm.rgb(1), img.getRGB(a.x + a.width * 19 / 20, a.y + a.height * 19 / 20));
        assertEquals(cm.rgb(0), img.getRGB(a.x + a.width * 19 / 20, a.y + a.height / 20));
    }

    @Test
    void rasterShowsTheMostActiveNeuronsFirst() throws IOException {
        int N = 50, P = 12, top = 20;
        int[] labels = new int[P];
        for (int mu = 0; mu < P; mu++) labels[mu] = mu % 2;
        float[] h = new float[N * P];
        for (int i = 0; i < N; i++)
            for (int mu = 0; mu < P; mu++) h[i * P + mu] = i == 37 ? 5f : 0.01f * i;   // neuron 37 the most active
        BufferedImage img = roundTrip("raster", Plots.raster(h, N, P, labels, top, "raster"), Plots.WIDTH, Plots.HEIGHT + 20);
        assertDrawn(img, 10, 0.3);
        Rectangle a = Plots.heatmapArea();
        double[] shown = new double[top * P];
        for (int r = 0; r < top; r++) for (int c = 0; c < P; c++) shown[r * P + c] = r == 0 ? 5 : 0.01 * (49 - r + 1);
        Colormap cm = Colormap.forData(shown);
        assertEquals(cm.rgb(5), img.getRGB(a.x + a.width / 2 + 3, a.y + 2), "top row is the most active neuron");
    }

    @Test
    void histogramScatterBarsAndLinesAreDrawn() throws IOException {
        Random rng = new Random(3);
        double[] s = new double[1000], x = new double[40], y = new double[40];
        for (int i = 0; i < s.length; i++) s[i] = rng.nextGaussian();
        for (int i = 0; i < x.length; i++) { x[i] = rng.nextGaussian(); y[i] = x[i] + 0.1 * rng.nextGaussian(); }
        assertDrawn(roundTrip("hist", Plots.histogram(List.of(new Plots.Series("a", s)),
                List.of(Plots.gaussian("N(0, 1)", 0, 1, 100)), 30, "histogram", "a"), Plots.WIDTH, Plots.HEIGHT), 10, 0.05);
        assertDrawn(roundTrip("scatter", Plots.scatter(List.of(new Plots.Points("f", x, y)), "scatter", "theory", "sampled"),
                Plots.WIDTH, Plots.HEIGHT), 10, 0.03);
        assertDrawn(roundTrip("bars", Plots.bars(new String[]{"c0", "c1"}, List.of(new Plots.Series("s", new double[]{0.2, Double.NaN}),
                new Plots.Series("t", new double[]{0.3, 0.1})), "bars", "error"), Plots.WIDTH, Plots.HEIGHT), 5, 0.05);
        double[] t = new double[100];
        for (int i = 0; i < t.length; i++) t[i] = i;
        assertDrawn(roundTrip("lines", Plots.lines(t, List.of(new Plots.Series("c0", java.util.Arrays.copyOf(s, 100))),
                "trace", "draw", "loss"), Plots.WIDTH, Plots.HEIGHT), 10, 0.03);
    }

    /** Palette or not, the PNG holds exactly the drawn pixels. */
    @Test
    void pngIsLosslessWithAndWithoutAPalette() throws IOException {
        BufferedImage few = Plots.kernel(new double[]{1, 0, 0, 1}, 2, new int[]{0, 1}, "two inputs");
        BufferedImage many = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) many.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | 77);
        assertSame(many, Png.indexed(many), "1200 colours cannot take a palette");
        assertNotSame(few, Png.indexed(few), "a heatmap keeps within 256 colours and takes a palette");
        for (BufferedImage img : new BufferedImage[]{few, many}) {
            BufferedImage back = roundTrip("exact" + img.getWidth(), img, img.getWidth(), img.getHeight());
            for (int y = 0; y < img.getHeight(); y++)
                for (int x = 0; x < img.getWidth(); x++) assertEquals(img.getRGB(x, y), back.getRGB(x, y), "pixel " + x + "," + y);
        }
    }

    @Test
    void gaussianCurveIsANormalisedDensity() {
        Plots.Curve c = Plots.gaussian("g", 0, 4, 801);
        double area = 0;
        for (int i = 1; i < c.x().length; i++) area += 0.5 * (c.y()[i] + c.y()[i - 1]) * (c.x()[i] - c.x()[i - 1]);
        // ±4 sd holds all but 6.3e-5 of the mass; the trapezoid rule on 800 intervals errs by ~1e-5
        assertEquals(1 - 6.3e-5, area, 2e-5);
        assertEquals(1 / Math.sqrt(2 * Math.PI * 4), c.y()[400], 1e-12);
    }

    @Test
    void constantAndSignedDataGetSensibleColourScales() {
        assertTrue(Colormap.forRange(-1, 3).diverging());
        assertEquals(-3, Colormap.forRange(-1, 3).lo(), 0);
        assertFalse(Colormap.forRange(0, 3).diverging());
        Colormap flat = Colormap.forRange(2, 2);
        assertTrue(flat.hi() > flat.lo());
        assertEquals(java.awt.Color.GRAY, flat.color(Double.NaN));
    }

    // ------------------------------------------------------------------ panels added with the reviewer's fixes

    static List<Plots.Series> ar1Chains(int C, int n, double phi, double shiftChain0) {
        Random r = new Random(5);
        List<Plots.Series> out = new java.util.ArrayList<>();
        for (int c = 0; c < C; c++) {
            double[] v = new double[n];
            double x = 0;
            for (int i = 0; i < n; i++) v[i] = x = phi * x + r.nextGaussian() + (c == 0 ? shiftChain0 : 0);
            out.add(new Plots.Series("chain " + c, v));
        }
        return out;
    }

    @Test
    void smallMultiplesGiveEachQuantityItsOwnAxis() throws IOException {
        double[] y = {-1, 0, 0.25, 0.5};
        BufferedImage img = Plots.smallMultiples(y, List.of(new Plots.Series("PR/N", new double[]{0.76, 0.7, 0.68, 0.65}),
                new Plots.Series("excess kurtosis", new double[]{-0.26, -0.74, -0.76, -0.78}),
                new Plots.Series("share", new double[]{0.28, 0.28, 0.3, 0.29})), "metrics", "y-", Look.DEFAULT);
        BufferedImage back = roundTrip("multiples", img, img.getWidth(), img.getHeight());
        assertTrue(back.getWidth() >= 3 * 240, "three cells side by side: " + back.getWidth());
        assertDrawn(back, 20, 0.05);
        // each cell draws its line in its own colour: the three first palette colours all appear
        for (java.awt.Color c : new java.awt.Color[]{Frame.PALETTE[0], Frame.PALETTE[1], Frame.PALETTE[2]}) {
            boolean found = false;
            for (int yy = 0; yy < back.getHeight() && !found; yy++)
                for (int x = 0; x < back.getWidth() && !found; x++) found = back.getRGB(x, yy) == c.getRGB();
            assertTrue(found, "colour " + c + " missing");
        }
    }

    @Test
    void rankPlotAndAutocorrelationAreDrawn() throws IOException {
        List<Plots.Series> chains = ar1Chains(4, 400, 0.9, 0);
        assertDrawn(roundTrip("rank", Plots.rank(chains, 20, "rank plot", "rank", Look.DEFAULT), Plots.WIDTH, Plots.HEIGHT), 6, 0.1);
        assertDrawn(roundTrip("acf", Plots.autocorrelation(chains, 100, "acf", "lag", Look.DEFAULT), Plots.WIDTH, Plots.HEIGHT), 6, 0.02);
        // ρ_0 = 1 and an AR(1) of φ = 0.9 has ρ_1 near 0.9 (within a few standard errors of 400 draws)
        double[] r = Plots.acf(chains.get(1).values(), 10);
        assertEquals(1.0, r[0], 1e-12);
        assertEquals(0.9, r[1], 0.1);
    }

    @Test
    void dpiScalesTheImageAndSizeSetsIt() throws IOException {
        double[] x = {0, 1, 2, 3};
        List<Plots.Series> s = List.of(new Plots.Series("a", new double[]{1, 3, 2, 4}));
        BufferedImage big = Plots.lines(x, s, "t", "x", "y", new Look(800, 500, 192, "png"));
        assertEquals(1600, big.getWidth());
        assertEquals(1000, big.getHeight());
        Path f = Figure.write(tmp.resolve("big.png"), big, new Look(800, 500, 192, "png"));
        assertEquals(1600, ImageIO.read(f.toFile()).getWidth());
        Path svg = Figure.write(tmp.resolve("big.svg"), big, new Look(800, 500, 192, "svg"));
        String text = Files.readString(svg);
        assertTrue(text.startsWith("<svg") && text.contains("width=\"800\"") && text.contains("data:image/png;base64,"), text.substring(0, 120));
    }

    @Test
    void histogramsOfSeveralClassesKeepTheirOwnColours() throws IOException {
        Random r = new Random(1);
        List<Plots.Series> series = new java.util.ArrayList<>();
        List<Plots.Curve> curves = new java.util.ArrayList<>();
        for (int k = 0; k < 3; k++) {
            double[] v = new double[3000];
            for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
            series.add(new Plots.Series("class " + k, v));
            curves.add(Plots.gaussian("theory " + k, 0, 1, 200));   // the same curve thrice: each must still show
        }
        BufferedImage img = roundTrip("hist3", Plots.histogram(series, curves, 40, "three classes", "a"), Plots.WIDTH, Plots.HEIGHT);
        assertDrawn(img, 6, 0.02);
        java.util.Map<Integer, Integer> count = new java.util.HashMap<>();
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) count.merge(img.getRGB(x, y), 1, Integer::sum);
        for (int k = 0; k < 3; k++)
            assertTrue(count.getOrDefault(Frame.PALETTE[k].getRGB(), 0) > 300, "class " + k + "'s colour drawn in "
                    + count.getOrDefault(Frame.PALETTE[k].getRGB(), 0) + " pixels");
    }
    @Test
    void kernelsDrawTheTheoryBesideTheSampleOnOneColourScale() throws IOException {
        int P = 20;
        int[] labels = new int[P];
        for (int i = 0; i < P; i++) labels[i] = i % 2;
        double[] sampled = new double[P * P], theory = new double[P * P];
        for (int a = 0; a < P; a++)
            for (int b = 0; b < P; b++) {
                sampled[a * P + b] = labels[a] == labels[b] ? 0.2 : -0.1;
                theory[a * P + b] = labels[a] == labels[b] ? 0.4 : -0.3;   // the scale's extremes are the theory's
            }
        BufferedImage img = Plots.kernels(List.of(sampled, theory), List.of("sampled", "theory"), P, labels, "kernels", Look.DEFAULT);
        Rectangle[] at = Plots.heatmapsAreas(2, Look.DEFAULT);
        img = roundTrip("kernels", img, img.getWidth(), img.getHeight());
        assertTrue(img.getWidth() > Plots.WIDTH * 3 / 2, "two heat maps side by side: width " + img.getWidth());
        assertDrawn(img, 8, 0.3);
        Colormap cm = Colormap.forRange(-0.4, 0.4);   // both matrices' range, symmetric about 0
        // a quarter into each block (inputs sorted by class: class 0 first), in each heat map
        for (int k = 0; k < 2; k++) {
            double[] v = k == 0 ? sampled : theory;
            Rectangle a = at[k];
            assertEquals(cm.rgb(v[0]), img.getRGB(a.x + a.width / 4, a.y + a.height / 4), "same-class block of map " + k);
            assertEquals(cm.rgb(v[1]), img.getRGB(a.x + a.width * 3 / 4, a.y + a.height / 4), "other-class block of map " + k);
        }
    }

    @Test
    void profileDrawsItsDashedSeriesOverTheDots() throws IOException {
        int n = 40;
        double[] s0 = new double[n], s1 = new double[n], t0 = new double[n], t1 = new double[n];
        Random r = new Random(5);
        for (int i = 0; i < n; i++) {
            t0[i] = i < 20 ? 1 : 0.5;
            t1[i] = -t0[i];
            s0[i] = t0[i] + 0.3 * r.nextGaussian();
            s1[i] = t1[i] + 0.3 * r.nextGaussian();
        }
        List<Plots.Series> dots = List.of(new Plots.Series("0", s0), new Plots.Series("1", s1));
        List<Plots.Series> lines = List.of(new Plots.Series("0, theory", t0), new Plots.Series("1, theory", t1));
        BufferedImage with = roundTrip("profile", Plots.profile(dots, lines, new int[]{0, 20}, new String[]{"train", "test"},
                new int[]{10, 30}, "profile", "input", "f", Look.DEFAULT), Plots.WIDTH, Plots.HEIGHT);
        BufferedImage without = Plots.profile(dots, List.of(), new int[]{0, 20}, new String[]{"train", "test"},
                new int[]{10, 30}, "profile", "input", "f", Look.DEFAULT);
        assertDrawn(with, 10, 0.03);
        // the dots are translucent, so the series' own opaque colour is the dashed line's (and the legend's)
        for (int k = 0; k < 2; k++) {
            int c = Frame.PALETTE[k].getRGB();
            long lined = count(with, c), plain = count(without, c);
            assertTrue(lined - plain > 150, "series " + k + "'s dashed line: " + lined + " pixels of its colour against " + plain + " without it");
        }
    }

    private static long count(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if (img.getRGB(x, y) == rgb) n++;
        return n;
    }
}
