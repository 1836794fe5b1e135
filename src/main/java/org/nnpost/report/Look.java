package org.nnpost.report;

/**
 * How a panel is rendered: its size in CSS pixels (1/96 inch), the resolution of a PNG (dpi; 96
 * is one image pixel per CSS pixel, 300 a print figure), and the file format, png or svg.
 */
public record Look(int width, int height, int dpi, String format) {
    public static final Look DEFAULT = new Look(Plots.WIDTH, Plots.HEIGHT, 96, "png");

    public Look {
        if (width < 200 || height < 150 || width > 4000 || height > 4000)
            throw new IllegalArgumentException("size " + width + "x" + height + " (allowed: 200x150 to 4000x4000)");
        if (dpi < 48 || dpi > 1200) throw new IllegalArgumentException("dpi " + dpi + " (allowed: 48 to 1200)");
        if (!format.equals("png") && !format.equals("svg")) throw new IllegalArgumentException("format " + format + " (allowed: png, svg)");
    }

    /** Image pixels per CSS pixel. */
    public double scale() { return dpi / 96.0; }

    /** The file extension, with the dot. */
    public String extension() { return "." + format; }
}
