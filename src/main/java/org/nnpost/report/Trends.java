package org.nnpost.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A measured quantity against a swept parameter: lines with markers and error bars (one line per
 * series), theory as dashed lines in the colour of its series, fits as dotted lines, single
 * estimates as open diamonds with error bars; either axis may be logarithmic. Like {@link Plots},
 * a pure function from data to an image.
 */
public final class Trends {
    private Trends() {}

    /** Pixels right of the plot area for the legend, so that it never hides a line. */
    static final int LEGEND = 210;

    /** How a line is drawn. */
    public enum Style {
        /** Measured values: solid line, filled markers, error bars. */
        MEASURED,
        /** A theory's values: dashed line, no markers. */
        THEORY,
        /** A fitted curve: dotted line, no markers. */
        FIT,
        /** Estimates without a line (an extrapolation): open diamonds with error bars. */
        ESTIMATE
    }

    /**
     * One line.
     *
     * @param err   half-width of each point's error bar (a standard error), or null; NaN draws none
     * @param color index into the palette: a series and its theory share one
     */
    public record Line(String name, double[] x, double[] y, double[] err, Style style, int color) {}

    /**
     * @param logX   x on a log scale (points with x &lt;= 0 are left out)
     * @param logY   y on a log scale (points with y &lt;= 0 are left out)
     * @param zeroX  the x range includes 0 (a plot against 1/N whose fit runs to N = infinity)
     */
    public static BufferedImage plot(List<Line> lines, String title, String xLabel, String yLabel, boolean logX, boolean logY,
                                     boolean zeroX) {
        Frame f = new Frame(Plots.WIDTH + LEGEND, Plots.HEIGHT, LEGEND - 10, title);
        double xlo = Double.POSITIVE_INFINITY, xhi = Double.NEGATIVE_INFINITY, ylo = Double.POSITIVE_INFINITY, yhi = Double.NEGATIVE_INFINITY;
        for (Line l : lines)
            for (int i = 0; i < l.x().length; i++) {
                double x = l.x()[i], y = l.y()[i], e = l.err() == null || !Double.isFinite(l.err()[i]) ? 0 : l.err()[i];
                if (!usable(x, logX) || !usable(y, logY)) continue;
                xlo = Math.min(xlo, x);
                xhi = Math.max(xhi, x);
                ylo = Math.min(ylo, usable(y - e, logY) ? y - e : y);
                yhi = Math.max(yhi, y + e);
            }
        if (zeroX && !logX) xlo = Math.min(xlo, 0);
        if (!(xhi >= xlo)) { xlo = logX ? 1 : 0; xhi = logX ? 10 : 1; }
        if (!(yhi >= ylo)) { ylo = logY ? 1 : 0; yhi = logY ? 10 : 1; }
        double[] xr = range(xlo, xhi, logX, 0.04), yr = range(ylo, yhi, logY, 0.06);
        f.ranges(xr[0], xr[1], yr[0], yr[1]);
        if (!logX && !logY) {
            f.axes(xLabel, yLabel, true);
        } else {
            ticks(f, true, logX);
            ticks(f, false, logY);
            f.box();
            f.labels(xLabel + (logX ? " (log scale)" : ""), yLabel + (logY ? " (log scale)" : ""));
        }
        List<String> names = new ArrayList<>();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (Line l : lines) {
            Color c = Frame.PALETTE[Math.floorMod(l.color(), Frame.PALETTE.length)];
            if (l.style() == Style.THEORY || l.style() == Style.FIT) c = c.darker();
            f.g.setColor(c);
            f.g.setStroke(switch (l.style()) {
                case MEASURED -> new BasicStroke(1.8f);
                case THEORY -> new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{8f, 5f}, 0f);
                case FIT -> new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[]{2f, 4f}, 0f);
                case ESTIMATE -> new BasicStroke(1.6f);
            });
            Path2D.Double p = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < l.x().length; i++) {
                double x = l.x()[i], y = l.y()[i];
                if (!usable(x, logX) || !usable(y, logY)) { started = false; continue; }
                double px = f.px(t(x, logX)), py = f.py(t(y, logY));
                if (!started) p.moveTo(px, py);
                else p.lineTo(px, py);
                started = true;
            }
            if (l.style() != Style.ESTIMATE) f.g.draw(p);
            f.g.setStroke(new BasicStroke(1.4f));
            for (int i = 0; i < l.x().length; i++) {
                double x = l.x()[i], y = l.y()[i];
                if (!usable(x, logX) || !usable(y, logY)) continue;
                int px = (int) Math.round(f.px(t(x, logX))), py = (int) Math.round(f.py(t(y, logY)));
                double e = l.err() == null ? Double.NaN : l.err()[i];
                if ((l.style() == Style.MEASURED || l.style() == Style.ESTIMATE) && Double.isFinite(e) && e > 0) {
                    double lo = y - e, hi = y + e;
                    int pl = (int) Math.round(f.py(t(usable(lo, logY) ? lo : y, logY))), ph = (int) Math.round(f.py(t(hi, logY)));
                    f.g.drawLine(px, pl, px, ph);
                    f.g.drawLine(px - 4, pl, px + 4, pl);
                    f.g.drawLine(px - 4, ph, px + 4, ph);
                }
                if (l.style() == Style.MEASURED) f.g.fillOval(px - 4, py - 4, 9, 9);
                if (l.style() == Style.ESTIMATE) {
                    int[] xs = {px, px + 6, px, px - 6}, ys = {py - 6, py, py + 6, py};
                    f.g.setColor(Color.WHITE);
                    f.g.fillPolygon(xs, ys, 4);
                    f.g.setColor(c);
                    f.g.drawPolygon(xs, ys, 4);
                }
            }
            names.add(l.name());
            colors.add(c);
            dashed.add(l.style() == Style.THEORY || l.style() == Style.FIT);
        }
        f.g.setStroke(new BasicStroke(1f));
        f.box();
        legend(f, lines);
        return f.done();
    }

    /** The legend right of the plot area: a line sample (solid, dashed or dotted, with its marker) and the name. */
    private static void legend(Frame f, List<Line> lines) {
        FontMetrics fm = f.g.getFontMetrics();
        int x = f.right + 14, rowH = fm.getHeight() + 2, y = f.top + 4;
        for (Line l : lines) {
            if (y + rowH > f.image.getHeight() - 4) break;
            Color c = Frame.PALETTE[Math.floorMod(l.color(), Frame.PALETTE.length)];
            if (l.style() == Style.THEORY || l.style() == Style.FIT) c = c.darker();
            int cy = y + rowH / 2;
            f.g.setColor(c);
            switch (l.style()) {
                case MEASURED -> {
                    f.g.setStroke(new BasicStroke(1.8f));
                    f.g.drawLine(x, cy, x + 24, cy);
                    f.g.fillOval(x + 8, cy - 4, 9, 9);
                }
                case THEORY -> {
                    f.g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{8f, 5f}, 0f));
                    f.g.drawLine(x, cy, x + 24, cy);
                }
                case FIT -> {
                    f.g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[]{2f, 4f}, 0f));
                    f.g.drawLine(x, cy, x + 24, cy);
                }
                case ESTIMATE -> {
                    f.g.setStroke(new BasicStroke(1.4f));
                    int[] xs = {x + 12, x + 18, x + 12, x + 6}, ys = {cy - 6, cy, cy + 6, cy};
                    f.g.drawPolygon(xs, ys, 4);
                }
            }
            f.g.setStroke(new BasicStroke(1f));
            f.g.setColor(Frame.AXIS);
            String name = l.name();
            int room = f.image.getWidth() - (x + 30) - 4;
            while (fm.stringWidth(name) > room && name.length() > 4) name = name.substring(0, name.length() - 2);
            if (!name.equals(l.name())) name = name.substring(0, name.length() - 1) + "…";
            f.g.drawString(name, x + 30, cy + fm.getAscent() / 2 - 1);
            y += rowH;
        }
    }

    private static boolean usable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    private static double t(double v, boolean log) {
        return log ? Math.log10(v) : v;
    }

    /** The axis range in plot coordinates (log10 on a log axis), padded. */
    private static double[] range(double lo, double hi, boolean log, double pad) {
        double a = t(lo, log), b = t(hi, log);
        if (!(b > a)) {
            double w = log ? 0.5 : Math.max(Math.abs(a) * 0.1, 1e-9);
            a -= w;
            b += w;
        }
        double p = pad * (b - a);
        return new double[]{a - p, b + p};
    }

    /** Ticks of one axis: Frame's round numbers on a linear axis; 1, 2, 5 times powers of ten on a log axis. */
    private static void ticks(Frame f, boolean xAxis, boolean log) {
        double lo = xAxis ? f.x0 : f.y0, hi = xAxis ? f.x1 : f.y1;
        List<double[]> at = new ArrayList<>();   // {coordinate, value}
        if (!log) {
            for (double v : Frame.ticks(lo, hi)) at.add(new double[]{v, v});
        } else if (hi - lo < 0.6) {
            // less than a factor 4: round numbers, as on a linear axis, at their logarithms
            for (double v : Frame.ticks(Math.pow(10, lo), Math.pow(10, hi))) if (v > 0) at.add(new double[]{Math.log10(v), v});
        } else {
            double[] steps = hi - lo > 3 ? new double[]{1} : hi - lo > 1.2 ? new double[]{1, 2, 5} : new double[]{1, 2, 3, 5, 7};
            for (int k = (int) Math.floor(lo) - 1; k <= Math.ceil(hi); k++)
                for (double s : steps) {
                    double c = k + Math.log10(s);
                    if (c >= lo && c <= hi) at.add(new double[]{c, s * Math.pow(10, k)});
                }
        }
        FontMetrics fm = f.g.getFontMetrics();
        for (double[] a : at) {
            String label = Frame.label(a[1]);
            if (xAxis) {
                int x = (int) Math.round(f.px(a[0]));
                f.line(Frame.GRID, x, f.top, x, f.bottom);
                f.line(Frame.AXIS, x, f.bottom, x, f.bottom + 5);
                f.g.setColor(Frame.AXIS);
                f.centred(label, x, f.bottom + 7 + fm.getAscent());
            } else {
                int y = (int) Math.round(f.py(a[0]));
                f.line(Frame.GRID, f.left, y, f.right, y);
                f.line(Frame.AXIS, f.left - 5, y, f.left, y);
                f.g.setColor(Frame.AXIS);
                f.g.drawString(label, f.left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
            }
        }
    }
}
