package org.nnpost.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * One plot's canvas: a white image with a title, a plot area with numbered axes and labels, and
 * room on the right for a colour bar or a legend. Maps data coordinates to pixels; draws with
 * java.awt in headless mode, so no display is needed.
 */
final class Frame {
    static {
        // before any AWT class that might look for a display is loaded
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    /**
     * Okabe and Ito's colour-blind-safe palette (blue, vermillion, bluish green, orange, sky blue,
     * reddish purple, yellow, black), in an order whose neighbours differ in lightness as well as
     * hue, so the first three classes stay apart for every kind of colour vision and in grey.
     */
    static final Color[] PALETTE = {
            new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(230, 159, 0),
            new Color(86, 180, 233), new Color(204, 121, 167), new Color(240, 228, 66), new Color(0, 0, 0)};
    static final Color AXIS = new Color(40, 40, 40), GRID = new Color(225, 225, 225);

    final BufferedImage image;
    final Graphics2D g;
    final int left, top, right, bottom;   // plot area: [left, right) × [top, bottom), in CSS pixels
    /** The frame's own region of the image (a small multiple's cell, or the whole image). */
    final int ox, oy, width, height;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;

    /** A whole image of the look's size and resolution; drawing is in CSS pixels, scaled to the dpi. */
    Frame(Look look, int heightExtra, int side, String title) {
        this(canvas(look, look.width(), look.height() + heightExtra), look.scale(), 0, 0, look.width(), look.height() + heightExtra,
                side, title, 14);
    }

    /** @param side pixels kept free right of the plot area (colour bar, legend) */
    Frame(int width, int height, int side, String title) {
        this(canvas(Look.DEFAULT, width, height), 1.0, 0, 0, width, height, side, title, 14);
    }

    /** A cell of a grid of small multiples: the same image, its own axes and title. */
    Frame(Frame parent, int ox, int oy, int width, int height, String title) {
        this(parent.image, parent.g, ox, oy, width, height, 0, title, 12);
    }

    /** A cell with room on its right ({@code side} pixels: a colour bar the row shares). */
    Frame(Frame parent, int ox, int oy, int width, int height, int side, String title) {
        this(parent.image, parent.g, ox, oy, width, height, side, title, 12);
    }

    private static BufferedImage canvas(Look look, int width, int height) {
        return new BufferedImage((int) Math.round(width * look.scale()), (int) Math.round(height * look.scale()), BufferedImage.TYPE_INT_RGB);
    }

    private Frame(BufferedImage image, double scale, int ox, int oy, int width, int height, int side, String title, int titleSize) {
        this(image, prepare(image, scale), ox, oy, width, height, side, title, titleSize);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        title(title, titleSize);
    }

    private static Graphics2D prepare(BufferedImage image, double scale) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.scale(scale, scale);
        return g;
    }

    private Frame(BufferedImage image, Graphics2D g, int ox, int oy, int width, int height, int side, String title, int titleSize) {
        this.image = image;
        this.g = g;
        this.ox = ox;
        this.oy = oy;
        this.width = width;
        this.height = height;
        boolean small = titleSize < 14;
        left = ox + (small ? 62 : 70);
        top = oy + (small ? 30 : 40);
        right = ox + width - side - (small ? 12 : 20);
        bottom = oy + height - (small ? 45 : 55);
        if (small) title(title, titleSize);
    }

    private void title(String title, int titleSize) {
        g.setColor(AXIS);
        // a long title shrinks to fit rather than run off the image
        int size = titleSize;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
        while (size > 9 && title != null && g.getFontMetrics().stringWidth(title) > width - 16)
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, --size));
        centred(title, ox + width / 2, oy + (titleSize < 14 ? 20 : 24));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    void ranges(double x0, double x1, double y0, double y1) {
        this.x0 = x0;
        this.x1 = x1 > x0 ? x1 : x0 + 1;
        this.y0 = y0;
        this.y1 = y1 > y0 ? y1 : y0 + 1;
    }

    double px(double x) { return left + (x - x0) / (x1 - x0) * (right - left); }

    double py(double y) { return bottom - (y - y0) / (y1 - y0) * (bottom - top); }

    /** Box, ticks with round numbers, light grid lines and the axis labels. */
    void axes(String xLabel, String yLabel, boolean grid) {
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(x0, x1)) {
            int x = (int) Math.round(px(t));
            if (grid) line(GRID, x, top, x, bottom);
            line(AXIS, x, bottom, x, bottom + 5);
            g.setColor(AXIS);
            centred(label(t), x, bottom + 7 + fm.getAscent());
        }
        for (double t : ticks(y0, y1)) {
            int y = (int) Math.round(py(t));
            if (grid) line(GRID, left, y, right, y);
            line(AXIS, left - 5, y, left, y);
            String s = label(t);
            g.setColor(AXIS);
            g.drawString(s, left - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        box();
        labels(xLabel, yLabel);
    }

    void box() {
        g.setColor(AXIS);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, right - left, bottom - top);
    }

    void labels(String xLabel, String yLabel) {
        g.setColor(AXIS);
        centred(xLabel, (left + right) / 2, bottom + 40);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centred(yLabel, -(top + bottom) / 2, ox + 18);
        g.setTransform(saved);
    }

    /** A vertical colour bar right of the plot area, with its range numbered. */
    void colorBar(Colormap cm, String label) {
        int x = right + 18, w = 16;
        for (int y = top; y < bottom; y++) {
            double v = cm.hi() - (y - top + 0.5) / (bottom - top) * (cm.hi() - cm.lo());
            g.setColor(cm.color(v));
            g.fillRect(x, y, w, 1);
        }
        g.setColor(AXIS);
        g.drawRect(x, top, w, bottom - top);
        FontMetrics fm = g.getFontMetrics();
        for (double t : ticks(cm.lo(), cm.hi())) {
            int y = (int) Math.round(bottom - (t - cm.lo()) / (cm.hi() - cm.lo()) * (bottom - top));
            line(AXIS, x + w, y, x + w + 4, y);
            g.setColor(AXIS);
            g.drawString(label(t), x + w + 6, y + fm.getAscent() / 2 - 1);
        }
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        centred(label, -(top + bottom) / 2, ox + width - 8);
        g.setTransform(saved);
    }

    /** A legend box in the plot area's upper right corner. */
    void legend(List<String> names, List<Color> colors, List<Boolean> dashed) {
        legend(names, colors, dashed, false);
    }

    /** @param upperLeft put the box in the upper left corner (a scatter's diagonal leaves it free) */
    void legend(List<String> names, List<Color> colors, List<Boolean> dashed, boolean upperLeft) {
        legend(names, colors, dashed, upperLeft, null);
    }

    /** @param dots per entry, whether its series is drawn as dots (a dot then marks it, not a line); null for none */
    void legend(List<String> names, List<Color> colors, List<Boolean> dashed, boolean upperLeft, List<Boolean> dots) {
        if (names.isEmpty()) return;
        FontMetrics fm = g.getFontMetrics();
        int w = 0;
        for (String n : names) w = Math.max(w, fm.stringWidth(n));
        int rowH = fm.getHeight(), bw = w + 40, bh = rowH * names.size() + 8;
        int bx = upperLeft ? left + 6 : right - bw - 6, by = top + 6;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(bx, by, bw, bh);
        g.setColor(GRID.darker());
        g.drawRect(bx, by, bw, bh);
        for (int k = 0; k < names.size(); k++) {
            int y = by + 4 + rowH * k + rowH / 2;
            g.setColor(colors.get(k));
            if (dots != null && dots.get(k)) {
                for (int x : new int[]{bx + 10, bx + 24}) g.fill(new java.awt.geom.Ellipse2D.Double(x - 3.5, y - 3.5, 7, 7));
            } else {
                g.setStroke(dashed.get(k) ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{5f, 3f}, 0f)
                        : new BasicStroke(2.5f));
                g.drawLine(bx + 6, y, bx + 28, y);
            }
            g.setStroke(new BasicStroke(1f));
            g.setColor(AXIS);
            g.drawString(names.get(k), bx + 34, y + fm.getAscent() / 2 - 1);
        }
    }

    BufferedImage done() {
        g.dispose();
        return image;
    }

    void line(Color c, int xa, int ya, int xb, int yb) {
        g.setColor(c);
        g.drawLine(xa, ya, xb, yb);
    }

    void centred(String s, int x, int baseline) {
        if (s == null || s.isEmpty()) return;
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, baseline);
    }

    /** Round tick positions within [a, b]: steps of 1, 2 or 5 times a power of ten, about 5 of them. */
    static double[] ticks(double a, double b) {
        if (!(b > a)) return new double[]{a};
        double raw = (b - a) / 5, p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
        double step = (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
        double first = Math.ceil(a / step - 1e-9) * step;
        int n = (int) Math.floor((b - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(0, n)];
        for (int k = 0; k < t.length; k++) t[k] = Math.abs(first + k * step) < step * 1e-9 ? 0 : first + k * step;
        return t;
    }

    static String label(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e4 || a < 1e-3) return String.format(Locale.ROOT, "%.1e", v);
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
