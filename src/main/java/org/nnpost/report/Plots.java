package org.nnpost.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The figures' panels, each a pure function: data in, image out. Nothing here reads or writes
 * files ({@link Png} does); axes carry numbers and labels, heatmaps a colour bar.
 */
public final class Plots {
    private Plots() {}

    public static final int WIDTH = 560, HEIGHT = 440;

    /** A row-major matrix. */
    public record Matrix(int rows, int cols, double[] v) {
        public Matrix {
            if (v.length != (long) rows * cols) throw new IllegalArgumentException("matrix size");
        }

        public double at(int r, int c) { return v[r * cols + c]; }
    }

    /** Named values: a histogram's samples, a line's y values or a bar series. */
    public record Series(String name, double[] values) {}

    /** A named curve drawn over a histogram (a theory density). */
    public record Curve(String name, double[] x, double[] y) {}

    /** Named points of a scatter plot. */
    public record Points(String name, double[] x, double[] y) {}

    // ------------------------------------------------------------------ heatmaps

    /**
     * A matrix as an image, row 0 at the top, with a colour bar; lines mark group boundaries
     * (classes) given as the first index of each new group.
     */
    public static BufferedImage heatmap(Matrix a, String title, String xLabel, String yLabel, String colorLabel,
                                        int[] rowBreaks, int[] colBreaks) {
        return heatmap(a, title, xLabel, yLabel, colorLabel, rowBreaks, colBreaks, Look.DEFAULT);
    }

    public static BufferedImage heatmap(Matrix a, String title, String xLabel, String yLabel, String colorLabel,
                                        int[] rowBreaks, int[] colBreaks, Look look) {
        Frame f = heatmapFrame(title, look);
        // plain text keeps a heatmap within 256 colours, so it is stored with a palette (a third of the size)
        f.g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
        f.g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_OFF);
        Colormap cm = Colormap.forData(a.v());
        cells(f, a, cm, rowBreaks, colBreaks, look);
        f.g.setStroke(new BasicStroke(1f));
        // index axes: x runs left to right, y top to bottom
        f.ranges(0, a.cols(), 0, a.rows());
        indexAxes(f, a.rows(), a.cols());
        f.box();
        f.labels(xLabel, yLabel);
        f.colorBar(cm, colorLabel);
        return f.done();
    }

    /** Paints a matrix's cells into a frame's plot area, row 0 at the top, with lines at the group breaks. */
    private static void cells(Frame f, Matrix a, Colormap cm, int[] rowBreaks, int[] colBreaks, Look look) {
        // the cells are painted at the image's own resolution and placed 1:1, at any dpi
        int w0 = f.right - f.left, h0 = f.bottom - f.top;
        int w = (int) Math.round(w0 * look.scale()), h = (int) Math.round(h0 * look.scale());
        BufferedImage cells = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        // a pixel shows the mean of the cells it covers: a matrix larger than the plot is averaged,
        // not sampled, so no entry's colour stands for its neighbours
        for (int y = 0; y < h; y++) {
            int r0 = Math.min(a.rows() - 1, (int) ((long) y * a.rows() / h));
            int r1 = Math.max(r0 + 1, (int) ((long) (y + 1) * a.rows() / h));
            if (a.rows() <= h) r0 = Math.min(a.rows() - 1, (int) ((y + 0.5) * a.rows() / h));
            if (a.rows() <= h) r1 = r0 + 1;
            for (int x = 0; x < w; x++) {
                int c0 = Math.min(a.cols() - 1, (int) ((long) x * a.cols() / w));
                int c1 = Math.max(c0 + 1, (int) ((long) (x + 1) * a.cols() / w));
                if (a.cols() <= w) c0 = Math.min(a.cols() - 1, (int) ((x + 0.5) * a.cols() / w));
                if (a.cols() <= w) c1 = c0 + 1;
                double sum = 0;
                for (int r = r0; r < r1; r++) for (int c = c0; c < c1; c++) sum += a.at(r, c);
                cells.setRGB(x, y, cm.rgb(sum / ((r1 - r0) * (c1 - c0))));
            }
        }
        f.g.drawImage(cells, f.left, f.top, w0, h0, null);
        w = w0;
        h = h0;
        f.g.setStroke(new BasicStroke(1.5f));
        for (int b : rowBreaks) {
            int y = f.top + (int) Math.round((double) b * h / a.rows());
            f.line(Color.BLACK, f.left, y, f.right, y);
        }
        for (int b : colBreaks) {
            int x = f.left + (int) Math.round((double) b * w / a.cols());
            f.line(Color.BLACK, x, f.top, x, f.bottom);
        }
    }

    private static Frame heatmapFrame(String title, Look look) {
        return new Frame(look, 20, 90, title);
    }

    /** Where a heatmap's cells lie in its image (for tests). */
    static java.awt.Rectangle heatmapArea() {
        Frame f = heatmapFrame("", Look.DEFAULT);
        f.done();
        return new java.awt.Rectangle(f.left, f.top, f.right - f.left, f.bottom - f.top);
    }

    private static void indexAxes(Frame f, int rows, int cols) {
        var fm = f.g.getFontMetrics();
        for (double t : Frame.ticks(0, cols)) {
            int x = (int) Math.round(f.px(t));
            f.line(Frame.AXIS, x, f.bottom, x, f.bottom + 5);
            f.g.setColor(Frame.AXIS);
            f.centred(Frame.label(t), x, f.bottom + 7 + fm.getAscent());
        }
        for (double t : Frame.ticks(0, rows)) {
            int y = (int) Math.round(f.top + t / rows * (f.bottom - f.top));
            f.line(Frame.AXIS, f.left - 5, y, f.left, y);
            f.g.setColor(Frame.AXIS);
            String s = Frame.label(t);
            f.g.drawString(s, f.left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
    }

    /** A kernel K (P × P) with its inputs sorted by class, classes separated by lines. */
    public static BufferedImage kernel(double[] k, int P, int[] labels, String title) {
        return kernel(k, P, labels, title, Look.DEFAULT);
    }

    public static BufferedImage kernel(double[] k, int P, int[] labels, String title, Look look) {
        int[] order = byClass(labels);
        double[] s = new double[P * P];
        for (int a = 0; a < P; a++)
            for (int b = 0; b < P; b++) s[a * P + b] = k[order[a] * P + order[b]];
        int[] breaks = classBreaks(labels, order);
        return heatmap(new Matrix(P, P, s), title, "input (sorted by class)", "input (sorted by class)", "kernel", breaks, breaks, look);
    }

    /**
     * Matrices of the same shape side by side, each under its name, on one colour scale (one
     * colour bar on the right): a sampled matrix beside its theory reads cell by cell.
     */
    public static BufferedImage heatmaps(List<Matrix> mats, List<String> names, String title, String xLabel, String yLabel,
                                         String colorLabel, int[] rowBreaks, int[] colBreaks, Look look) {
        Rectangle[] cellsAt = heatmapsAreas(mats.size(), look);
        Frame whole = new Frame(heatmapsLook(mats.size(), look), 0, 0, title);
        whole.g.setRenderingHint(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_OFF);
        whole.g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_OFF);
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (Matrix a : mats)
            for (double v : a.v()) if (Double.isFinite(v)) { min = Math.min(min, v); max = Math.max(max, v); }
        Colormap cm = Colormap.forRange(min, max);
        int cw = heatmapsCell(look)[0], ch = heatmapsCell(look)[1];
        for (int k = 0; k < mats.size(); k++) {
            boolean last = k == mats.size() - 1;
            Frame f = new Frame(whole, k * cw, HEATMAPS_TOP, cw + (last ? HEATMAPS_BAR : 0), ch, last ? HEATMAPS_BAR : 0, names.get(k));
            Matrix a = mats.get(k);
            cells(f, a, cm, rowBreaks, colBreaks, look);
            f.g.setStroke(new BasicStroke(1f));
            f.ranges(0, a.cols(), 0, a.rows());
            indexAxes(f, a.rows(), a.cols());
            f.box();
            f.labels(xLabel, k == 0 ? yLabel : "");
            if (last) f.colorBar(cm, colorLabel);
            assert f.left == cellsAt[k].x && f.top == cellsAt[k].y;
        }
        return whole.done();
    }

    /** Below the whole figure's title; right of the last cell, the colour bar's room. */
    private static final int HEATMAPS_TOP = 30, HEATMAPS_BAR = 90;

    /** A cell's width and height: its plot area square, as high as a single heatmap's image allows. */
    private static int[] heatmapsCell(Look look) {
        int ch = look.height() + 20 - HEATMAPS_TOP, plot = ch - 30 - 45;
        return new int[]{plot + 62 + 12, ch};
    }

    private static Look heatmapsLook(int n, Look look) {
        return new Look(Math.min(4000, n * heatmapsCell(look)[0] + HEATMAPS_BAR), look.height() + 20, look.dpi(), look.format());
    }

    /** Where each matrix's cells lie in a {@link #heatmaps} image, in CSS pixels (for tests). */
    static Rectangle[] heatmapsAreas(int n, Look look) {
        int cw = heatmapsCell(look)[0], ch = heatmapsCell(look)[1];
        Rectangle[] r = new Rectangle[n];
        for (int k = 0; k < n; k++) r[k] = new Rectangle(k * cw + 62, HEATMAPS_TOP + 30, cw - 62 - 12, ch - 30 - 45);
        return r;
    }

    /**
     * Kernels (each P × P) side by side on one colour scale, their inputs sorted by class and the
     * classes separated by lines: a sampled kernel beside its theory.
     */
    public static BufferedImage kernels(List<double[]> ks, List<String> names, int P, int[] labels, String title, Look look) {
        int[] order = byClass(labels);
        List<Matrix> mats = new ArrayList<>();
        for (double[] k : ks) {
            double[] s = new double[P * P];
            for (int a = 0; a < P; a++)
                for (int b = 0; b < P; b++) s[a * P + b] = k[order[a] * P + order[b]];
            mats.add(new Matrix(P, P, s));
        }
        int[] breaks = classBreaks(labels, order);
        return heatmaps(mats, names, title, "input (sorted by class)", "input (sorted by class)", "kernel", breaks, breaks, look);
    }

    /**
     * Activations h (N × P, [neuron][input]) of one posterior sample: neurons sorted by mean
     * squared activity, most active at the top, and only the top ones when top &lt; N (the
     * paper shows the 20 most active ReLU neurons); inputs sorted by class.
     */
    public static BufferedImage raster(float[] h, int N, int P, int[] labels, int top, String title) {
        return raster(h, N, P, labels, top, title, Look.DEFAULT);
    }

    public static BufferedImage raster(float[] h, int N, int P, int[] labels, int top, String title, Look look) {
        double[] power = new double[N];
        for (int i = 0; i < N; i++) {
            double s = 0;
            for (int mu = 0; mu < P; mu++) s += (double) h[i * P + mu] * h[i * P + mu];
            power[i] = s / P;
        }
        Integer[] neurons = IntStream.range(0, N).boxed().toArray(Integer[]::new);
        Arrays.sort(neurons, Comparator.comparingDouble((Integer i) -> -power[i]));
        int rows = Math.max(1, Math.min(top, N));
        int[] order = byClass(labels);
        double[] s = new double[rows * P];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < P; c++) s[r * P + c] = h[neurons[r] * P + order[c]];
        String y = rows < N ? "neuron (" + rows + " most active of " + N + ")" : "neuron (by mean squared activity)";
        return heatmap(new Matrix(rows, P, s), title, "input (sorted by class)", y, "activation",
                new int[0], classBreaks(labels, order), look);
    }

    /** Indices of the inputs, stably sorted by class. */
    public static int[] byClass(int[] labels) {
        return IntStream.range(0, labels.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> labels[i]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** Positions in the sorted order where a new class starts (not 0). */
    static int[] classBreaks(int[] labels, int[] order) {
        List<Integer> b = new ArrayList<>();
        for (int k = 1; k < order.length; k++) if (labels[order[k]] != labels[order[k - 1]]) b.add(k);
        return b.stream().mapToInt(Integer::intValue).toArray();
    }

    // ------------------------------------------------------------------ distributions

    /**
     * Histograms (as densities, over common bins) of each series, outlined and lightly filled,
     * with curves drawn dashed in the colour of the series of the same index.
     */
    public static BufferedImage histogram(List<Series> series, List<Curve> curves, int bins, String title, String xLabel) {
        return histogram(series, curves, bins, title, xLabel, Look.DEFAULT);
    }

    public static BufferedImage histogram(List<Series> series, List<Curve> curves, int bins, String title, String xLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) for (double v : s.values()) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(hi > lo)) { lo = Double.isFinite(lo) ? lo - 1 : -1; hi = lo + 2; }
        double width = (hi - lo) / bins;
        double[][] density = new double[series.size()][bins];
        double top = 0;
        for (int k = 0; k < series.size(); k++) {
            double[] v = series.get(k).values();
            int n = 0;
            for (double x : v) {
                if (!Double.isFinite(x)) continue;
                density[k][Math.min(bins - 1, (int) ((x - lo) / width))]++;
                n++;
            }
            for (int b = 0; b < bins; b++) top = Math.max(top, density[k][b] /= Math.max(1, n) * width);
        }
        for (Curve c : curves) for (int i = 0; i < c.x().length; i++) if (c.x()[i] >= lo && c.x()[i] <= hi) top = Math.max(top, c.y()[i]);
        // headroom for the legend, which sits in the upper right corner
        int entries = series.size() + curves.size();
        f.ranges(lo, hi, 0, top * (entries > 2 ? 1.1 + 0.09 * entries : 1.1));
        f.axes(xLabel, "density", true);
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        // all fills first, faint, then every outline on top in its own colour: overlapping
        // histograms stay apart by their edges instead of blending into one tint
        List<Path2D.Double> outlines = new ArrayList<>();
        for (int k = 0; k < series.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            Path2D.Double p = new Path2D.Double();
            p.moveTo(f.px(lo), f.py(0));
            for (int b = 0; b < bins; b++) {
                p.lineTo(f.px(lo + b * width), f.py(density[k][b]));
                p.lineTo(f.px(lo + (b + 1) * width), f.py(density[k][b]));
            }
            p.lineTo(f.px(hi), f.py(0));
            if (series.size() == 1) {   // several: outlines only, since overlapping tints mix into one grey
                f.g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 60));
                f.g.fill(p);
            }
            outlines.add(p);
        }
        for (int k = 0; k < series.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            f.g.setColor(c);
            f.g.setStroke(new BasicStroke(2f));
            f.g.draw(outlines.get(k));
            names.add(series.get(k).name());
            colors.add(c);
            dashed.add(false);
        }
        // theory: the class's own colour, dashed; the dashes of curve k start k dash-lengths on,
        // so curves that coincide (classes with the same theory) alternate colours along one line
        float dash = 9f, gap = dash * Math.max(1, curves.size() - 1) + 3f * curves.size();
        for (int k = 0; k < curves.size(); k++) {
            Curve cv = curves.get(k);
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            Path2D.Double p = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < cv.x().length; i++) {
                double x = cv.x()[i];
                if (x < lo || x > hi) continue;
                if (!started) p.moveTo(f.px(x), f.py(cv.y()[i]));
                else p.lineTo(f.px(x), f.py(cv.y()[i]));
                started = true;
            }
            f.g.setColor(new Color(255, 255, 255, 200));
            f.g.setStroke(new BasicStroke(4.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[]{dash, gap}, k * (dash + 3f)));
            f.g.draw(p);
            f.g.setColor(c);
            f.g.setStroke(new BasicStroke(2.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[]{dash, gap}, k * (dash + 3f)));
            f.g.draw(p);
            names.add(cv.name());
            colors.add(c);
            dashed.add(true);
        }
        f.g.setStroke(new BasicStroke(1f));
        f.box();
        f.legend(names, colors, dashed);
        return f.done();
    }

    /** The Gaussian density N(0, variance) at n points over ±4 standard deviations. */
    public static Curve gaussian(String name, double mean, double variance, int n) {
        double sd = Math.sqrt(Math.max(variance, 1e-300));
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean - 4 * sd + 8 * sd * i / (n - 1);
            double z = (x[i] - mean) / sd;
            y[i] = Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI));
        }
        return new Curve(name, x, y);
    }

    // ------------------------------------------------------------------ comparisons

    /** Points of one or more groups against each other, with the diagonal y = x. */
    public static BufferedImage scatter(List<Points> groups, String title, String xLabel, String yLabel) {
        return scatter(groups, title, xLabel, yLabel, Look.DEFAULT);
    }

    public static BufferedImage scatter(List<Points> groups, String title, String xLabel, String yLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Points p : groups)
            for (int i = 0; i < p.x().length; i++) {
                for (double v : new double[]{p.x()[i], p.y()[i]}) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            }
        if (!(hi > lo)) { lo = Double.isFinite(lo) ? lo - 1 : -1; hi = lo + 2; }
        double pad = 0.05 * (hi - lo);
        f.ranges(lo - pad, hi + pad, lo - pad, hi + pad);
        f.axes(xLabel, yLabel, true);
        f.g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
        f.g.setColor(Color.GRAY);
        f.g.drawLine((int) f.px(lo - pad), (int) f.py(lo - pad), (int) f.px(hi + pad), (int) f.py(hi + pad));
        f.g.setStroke(new BasicStroke(1f));
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (int k = 0; k < groups.size(); k++) {
            Points p = groups.get(k);
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            f.g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
            for (int i = 0; i < p.x().length; i++) {
                if (!Double.isFinite(p.x()[i]) || !Double.isFinite(p.y()[i])) continue;
                f.g.fillOval((int) Math.round(f.px(p.x()[i])) - 3, (int) Math.round(f.py(p.y()[i])) - 3, 7, 7);
            }
            names.add(p.name());
            colors.add(c);
            dashed.add(false);
        }
        names.add("y = x");
        colors.add(Color.GRAY);
        dashed.add(true);
        f.box();
        f.legend(names, colors, dashed, true);
        return f.done();
    }

    /**
     * Values along n ordered positions (inputs): each of {@code points} as dots, each of
     * {@code dashed} as a dashed step line over the dots in the colour of the points of the same
     * index (its value held across each position). Solid vertical lines start the sections
     * (named at the foot of the plot area, such as training and test inputs), light ones the
     * groups within them (classes).
     */
    public static BufferedImage profile(List<Series> points, List<Series> dashed, int[] sections, String[] sectionNames, int[] groups,
                                        String title, String xLabel, String yLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        int n = 0;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (List<Series> l : List.of(points, dashed))
            for (Series s : l) {
                n = Math.max(n, s.values().length);
                for (double v : s.values()) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            }
        if (!(hi > lo)) { lo = Double.isFinite(lo) ? lo - 1 : -1; hi = lo + 2; }
        // room above the data for the legend (upper right), below it for the section names
        var fm = f.g.getFontMetrics();
        double plot = f.bottom - f.top, legend = fm.getHeight() * (points.size() + dashed.size()) + 24, foot = fm.getHeight() + 8;
        double span = (hi - lo) / Math.max(0.2, 1 - (legend + foot) / plot);
        double y0 = lo - span * foot / plot, y1 = y0 + span;
        f.ranges(-0.5, n - 0.5, y0, y1);
        f.axes(xLabel, yLabel, true);
        f.g.setStroke(new BasicStroke(1f));
        for (int b : groups) {
            int x = (int) Math.round(f.px(b - 0.5));
            f.line(Frame.GRID.darker(), x, f.top, x, f.bottom);
        }
        f.g.setStroke(new BasicStroke(1.5f));
        for (int k = 0; k < sections.length; k++) {
            int x = (int) Math.round(f.px(sections[k] - 0.5));
            if (sections[k] > 0) f.line(Frame.AXIS, x, f.top, x, f.bottom);
            f.g.setColor(Frame.AXIS);
            if (k < sectionNames.length) f.g.drawString(sectionNames[k], x + 5, f.bottom - 6);
        }
        f.g.setStroke(new BasicStroke(1f));
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> isDashed = new ArrayList<>();
        double r = Math.max(2, Math.min(3.5, 0.45 * (f.right - f.left) / Math.max(1, n)));
        for (int k = 0; k < points.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            f.g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
            double[] v = points.get(k).values();
            for (int i = 0; i < v.length; i++)
                if (Double.isFinite(v[i])) f.g.fill(new java.awt.geom.Ellipse2D.Double(f.px(i) - r, f.py(v[i]) - r, 2 * r, 2 * r));
            names.add(points.get(k).name());
            colors.add(c);
            isDashed.add(false);
        }
        // over the dots, with a white edge, each line's dashes offset by its index so that lines
        // that coincide (outputs with the same value) alternate colours along one line
        float dash = 9f, gap = dash * Math.max(1, dashed.size() - 1) + 3f * dashed.size();
        for (int k = 0; k < dashed.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            double[] v = dashed.get(k).values();
            Path2D.Double p = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) { started = false; continue; }
                // a line starts afresh at each section and group: no riser between two classes' values
                final int at = i;
                if (IntStream.of(sections).anyMatch(b -> b == at) || IntStream.of(groups).anyMatch(b -> b == at)) started = false;
                if (!started) p.moveTo(f.px(i - 0.5), f.py(v[i]));
                else p.lineTo(f.px(i - 0.5), f.py(v[i]));
                p.lineTo(f.px(i + 0.5), f.py(v[i]));
                started = true;
            }
            for (boolean edge : new boolean[]{true, false}) {
                f.g.setColor(edge ? new Color(255, 255, 255, 200) : c);
                f.g.setStroke(new BasicStroke(edge ? 4.5f : 2.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[]{dash, gap}, k * (dash + 3f)));
                f.g.draw(p);
            }
            names.add(dashed.get(k).name());
            colors.add(c);
            isDashed.add(true);
        }
        f.g.setStroke(new BasicStroke(1f));
        f.box();
        List<Boolean> dots = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) dots.add(k < points.size());
        f.legend(names, colors, isDashed, false, dots);
        return f.done();
    }

    /** Grouped bars: one group per category, one bar per series; NaN values are left out. */
    public static BufferedImage bars(String[] categories, List<Series> series, String title, String yLabel) {
        return bars(categories, series, title, yLabel, Look.DEFAULT);
    }

    public static BufferedImage bars(String[] categories, List<Series> series, String title, String yLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        double top = 0;
        for (Series s : series) for (double v : s.values()) if (Double.isFinite(v)) top = Math.max(top, v);
        f.ranges(0, categories.length, 0, top > 0 ? top * 1.25 : 1);
        // y axis only: the x axis names categories
        var fm = f.g.getFontMetrics();
        for (double t : Frame.ticks(f.y0, f.y1)) {
            int y = (int) Math.round(f.py(t));
            f.line(Frame.GRID, f.left, y, f.right, y);
            f.line(Frame.AXIS, f.left - 5, y, f.left, y);
            f.g.setColor(Frame.AXIS);
            String s = Frame.label(t);
            f.g.drawString(s, f.left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        int n = Math.max(1, series.size());
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (int k = 0; k < series.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            double[] v = series.get(k).values();
            for (int j = 0; j < categories.length && j < v.length; j++) {
                if (!Double.isFinite(v[j])) continue;
                double xa = j + 0.1 + 0.8 * k / n, xb = j + 0.1 + 0.8 * (k + 1) / n;
                int x = (int) Math.round(f.px(xa)), w = Math.max(1, (int) Math.round(f.px(xb)) - x - 1);
                int y = (int) Math.round(f.py(v[j])), h = Math.max(1, f.bottom - y);
                f.g.setColor(c);
                f.g.fillRect(x, f.bottom - h, w, h);
            }
            names.add(series.get(k).name());
            colors.add(c);
            dashed.add(false);
        }
        for (int j = 0; j < categories.length; j++) {
            f.g.setColor(Frame.AXIS);
            f.centred(categories[j], (int) Math.round(f.px(j + 0.5)), f.bottom + 7 + fm.getAscent());
        }
        f.box();
        f.labels("", yLabel);
        f.legend(names, colors, dashed);
        return f.done();
    }

    /** Lines over a shared x (draw index, or a swept parameter), with markers. */
    public static BufferedImage lines(double[] x, List<Series> series, String title, String xLabel, String yLabel) {
        return lines(x, series, title, xLabel, yLabel, Look.DEFAULT);
    }

    public static BufferedImage lines(double[] x, List<Series> series, String title, String xLabel, String yLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : x) { xlo = Math.min(xlo, v); xhi = Math.max(xhi, v); }
        for (Series s : series) for (double v : s.values()) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        if (!(hi > lo)) { lo = Double.isFinite(lo) ? lo - 1 : -1; hi = lo + 2; }
        double pad = 0.05 * (hi - lo), xpad = x.length > 1 ? 0.03 * (xhi - xlo) : 1;
        f.ranges(xlo - xpad, xhi + xpad, lo - pad, hi + pad);
        f.axes(xLabel, yLabel, true);
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        boolean markers = x.length <= 30;
        // long noisy traces: anti-aliasing adds many shades and little clarity (and triples the PNG)
        if (x.length > 100) f.g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_OFF);
        for (int k = 0; k < series.size(); k++) {
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            double[] y = series.get(k).values();
            Path2D.Double p = polyline(f, x, y);
            f.g.setColor(c);
            f.g.setStroke(new BasicStroke(1.6f));
            f.g.draw(p);
            if (markers)
                for (int i = 0; i < Math.min(x.length, y.length); i++)
                    if (Double.isFinite(y[i])) f.g.fillOval((int) Math.round(f.px(x[i])) - 4, (int) Math.round(f.py(y[i])) - 4, 9, 9);
            names.add(series.get(k).name());
            colors.add(c);
            dashed.add(false);
        }
        f.g.setStroke(new BasicStroke(1f));
        f.box();
        f.legend(names, colors, dashed);
        return f.done();
    }

    /** The points (x, y) joined in order, broken where y is not finite. */
    private static Path2D.Double polyline(Frame f, double[] x, double[] y) {
        Path2D.Double p = new Path2D.Double();
        boolean started = false;
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            if (!Double.isFinite(y[i])) { started = false; continue; }
            if (!started) p.moveTo(f.px(x[i]), f.py(y[i]));
            else p.lineTo(f.px(x[i]), f.py(y[i]));
            started = true;
        }
        return p;
    }

    // ------------------------------------------------------------------ several quantities, MCMC panels

    /**
     * One quantity per axis: a row of small panels (three to a row) over a shared x, each with
     * its own y axis titled by its series' name, instead of unrelated quantities on one axis.
     */
    public static BufferedImage smallMultiples(double[] x, List<Series> series, String title, String xLabel, Look look) {
        int n = Math.max(1, series.size()), cols = Math.min(n, 3), rows = (n + cols - 1) / cols;
        int cw = Math.max(240, look.width() * 300 / WIDTH), ch = Math.max(200, look.height() * 360 / HEIGHT);
        Frame whole = new Frame(new Look(cols * cw, Math.max(150, rows * ch + 30), look.dpi(), look.format()), 0, 0, title);
        for (int k = 0; k < series.size(); k++) {
            Frame f = new Frame(whole, (k % cols) * cw, 30 + (k / cols) * ch, cw, ch, series.get(k).name());
            double[] y = series.get(k).values();
            double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double v : x) { xlo = Math.min(xlo, v); xhi = Math.max(xhi, v); }
            for (double v : y) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            if (!(hi > lo)) { lo = Double.isFinite(lo) ? lo - 0.5 : -1; hi = lo + 1; }
            double pad = 0.08 * (hi - lo), xpad = x.length > 1 ? 0.05 * (xhi - xlo) : 1;
            f.ranges(xlo - xpad, xhi + xpad, lo - pad, hi + pad);
            f.axes(xLabel, "", true);   // the cell's title names its quantity
            Color c = Frame.PALETTE[k % Frame.PALETTE.length];
            Path2D.Double p = polyline(f, x, y);
            f.g.setColor(c);
            f.g.setStroke(new BasicStroke(1.8f));
            f.g.draw(p);
            for (int i = 0; i < Math.min(x.length, y.length); i++)
                if (Double.isFinite(y[i])) f.g.fill(new java.awt.geom.Ellipse2D.Double(f.px(x[i]) - 4, f.py(y[i]) - 4, 8, 8));
            f.g.setStroke(new BasicStroke(1f));
            f.box();
        }
        return whole.done();
    }

    /**
     * Rank plot (Vehtari et al. 2021): the draws of all chains ranked together, and per chain a
     * histogram of its ranks, one row per chain with the uniform count dashed. Chains that sample
     * the same distribution give flat rows; a chain stuck high or low shows a slope.
     */
    public static BufferedImage rank(List<Series> chains, int bins, String title, String xLabel, Look look) {
        Frame f = new Frame(look, 0, 0, title);
        int C = chains.size();
        List<double[]> finite = new ArrayList<>();
        for (Series s : chains) finite.add(Arrays.stream(s.values()).filter(Double::isFinite).toArray());
        double[] pooled = finite.stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        int S = pooled.length;
        f.ranges(0, S, 0, Math.max(1, C));
        // x: rank; y: one row per chain, chain 0 at the top
        var fm = f.g.getFontMetrics();
        for (double t : Frame.ticks(0, S)) {
            int x = (int) Math.round(f.px(t));
            f.line(Frame.AXIS, x, f.bottom, x, f.bottom + 5);
            f.g.setColor(Frame.AXIS);
            f.centred(Frame.label(t), x, f.bottom + 7 + fm.getAscent());
        }
        for (int c = 0; c < C; c++) {
            double[] v = finite.get(c);
            double[] count = new double[bins];
            for (double x : v) {
                // mean rank of x among all draws (ties share it), 0-based
                int a = lowerBound(pooled, x), b = lowerBound(pooled, Math.nextUp(x));
                double r = 0.5 * (a + b - 1);
                count[Math.min(bins - 1, (int) (r * bins / S))]++;
            }
            double expected = (double) v.length / bins, topCount = Math.max(1, 2.2 * expected);
            double base = C - c - 1;   // row baseline in data units
            Color col = Frame.PALETTE[c % Frame.PALETTE.length];
            for (int b = 0; b < bins; b++) {
                double h = Math.min(0.92, 0.92 * count[b] / topCount);
                int xa = (int) Math.round(f.px((double) b * S / bins)), xb = (int) Math.round(f.px((double) (b + 1) * S / bins));
                int ya = (int) Math.round(f.py(base + h)), yb = (int) Math.round(f.py(base));
                f.g.setColor(col);
                f.g.fillRect(xa, ya, Math.max(1, xb - xa - 1), Math.max(1, yb - ya));
            }
            f.g.setColor(Frame.AXIS);
            f.g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 3f}, 0f));
            int ye = (int) Math.round(f.py(base + 0.92 * expected / topCount));
            f.g.drawLine(f.left, ye, f.right, ye);
            f.g.setStroke(new BasicStroke(1f));
            String name = chains.get(c).name();
            f.g.drawString(name, f.left - 6 - fm.stringWidth(name), (int) Math.round(f.py(base + 0.4)) + fm.getAscent() / 2);
        }
        f.box();
        f.labels(xLabel, "");
        return f.done();
    }

    /** Each chain's autocorrelation ρ_t against the lag t = 0 … maxLag (at most half its length), with 0 marked. */
    public static BufferedImage autocorrelation(List<Series> chains, int maxLag, String title, String xLabel, Look look) {
        List<Series> acf = new ArrayList<>();
        int lags = 0;
        for (Series s : chains) {
            double[] v = Arrays.stream(s.values()).filter(Double::isFinite).toArray();
            int T = Math.min(maxLag, v.length / 2);
            lags = Math.max(lags, T + 1);
            acf.add(new Series(s.name(), acf(v, T)));
        }
        double[] x = new double[lags];
        for (int t = 0; t < lags; t++) x[t] = t;
        return lines(x, acf, title, xLabel, "autocorrelation", look);
    }

    /** ρ_t = Σ (x_i − m)(x_{i+t} − m) / Σ (x_i − m)², t = 0 … T; 0 for a constant series. */
    static double[] acf(double[] v, int T) {
        double m = 0;
        for (double x : v) m += x;
        m /= Math.max(1, v.length);
        double var = 0;
        for (double x : v) var += (x - m) * (x - m);
        double[] r = new double[T + 1];
        for (int t = 0; t <= T; t++) {
            double c = 0;
            for (int i = 0; i + t < v.length; i++) c += (v[i] - m) * (v[i + t] - m);
            r[t] = var > 0 ? c / var : (t == 0 ? 1 : 0);
        }
        return r;
    }

    private static int lowerBound(double[] sorted, double v) {
        int lo = 0, hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < v) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
