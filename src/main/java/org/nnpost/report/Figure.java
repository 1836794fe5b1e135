package org.nnpost.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;

import javax.imageio.ImageIO;

import org.nnpost.io.AtomicFile;

/**
 * Writes a panel in its look's format: PNG (via {@link Png}, with the look's dpi recorded), or
 * SVG. The SVG is a document of the panel's size in CSS pixels holding the panel rendered at the
 * look's dpi (the command line asks for 192, twice a screen's, unless told otherwise): it scales
 * in a page or an editor like any SVG, but its lines and text are pixels, not vector paths.
 */
public final class Figure {
    private Figure() {}

    public static Path write(Path target, BufferedImage image, Look look) {
        if (look.format().equals("png")) return Png.write(target, image, look.dpi());
        String svg = svg(image, look);
        AtomicFile.write(target, svg.getBytes(StandardCharsets.UTF_8));
        return target;
    }

    static String svg(BufferedImage image, Look look) {
        double w = image.getWidth() / look.scale(), h = image.getHeight() / look.scale();
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">"
                + "<image width=\"%.0f\" height=\"%.0f\" href=\"data:image/png;base64,%s\"/></svg>%n", w, h, w, h, w, h, base64Png(image));
    }

    /** The image as PNG bytes, base64: for a data URI. */
    public static String base64Png(BufferedImage image) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(Png.indexed(image), "png", b)) throw new IOException("no PNG writer available");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(b.toByteArray());
    }
}
