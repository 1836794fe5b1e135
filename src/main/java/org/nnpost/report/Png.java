package org.nnpost.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.nnpost.io.AtomicFile;

/** Writes a plot as a PNG file, atomically: a reader sees no file or the whole image. */
public final class Png {
    private Png() {}

    public static Path write(Path target, BufferedImage image) {
        AtomicFile.write(target, out -> {
            if (!ImageIO.write(image, "png", out)) throw new IOException("no PNG writer available");
        });
        return target;
    }
}
