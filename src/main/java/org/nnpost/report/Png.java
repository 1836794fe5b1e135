package org.nnpost.report;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.imageio.ImageIO;

import org.nnpost.io.AtomicFile;

/**
 * Writes a plot as a PNG file, atomically: a reader sees no file or the whole image. An image of
 * at most 256 colours is stored with a palette (lossless, and a third of the size of RGB).
 */
public final class Png {
    private Png() {}

    public static Path write(Path target, BufferedImage image) {
        BufferedImage out = indexed(image);
        AtomicFile.write(target, o -> {
            if (!ImageIO.write(out, "png", o)) throw new IOException("no PNG writer available");
        });
        return target;
    }

    /** The same, with the resolution recorded in the file (pHYs), so a print or a paper takes its size in inches from it. */
    public static Path write(Path target, BufferedImage image, int dpi) {
        if (dpi == 96) return write(target, image);
        BufferedImage out = indexed(image);
        AtomicFile.write(target, o -> {
            javax.imageio.ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
            javax.imageio.ImageWriteParam param = w.getDefaultWriteParam();
            javax.imageio.metadata.IIOMetadata meta = w.getDefaultImageMetadata(
                    javax.imageio.ImageTypeSpecifier.createFromRenderedImage(out), param);
            javax.imageio.metadata.IIOMetadataNode phys = new javax.imageio.metadata.IIOMetadataNode("pHYs");
            String perMetre = Integer.toString((int) Math.round(dpi / 0.0254));
            phys.setAttribute("pixelsPerUnitXAxis", perMetre);
            phys.setAttribute("pixelsPerUnitYAxis", perMetre);
            phys.setAttribute("unitSpecifier", "meter");
            javax.imageio.metadata.IIOMetadataNode root = new javax.imageio.metadata.IIOMetadataNode("javax_imageio_png_1.0");
            root.appendChild(phys);
            meta.mergeTree("javax_imageio_png_1.0", root);
            try (javax.imageio.stream.ImageOutputStream ios = ImageIO.createImageOutputStream(o)) {
                w.setOutput(ios);
                w.write(null, new javax.imageio.IIOImage(out, null, meta), param);
            } finally {
                w.dispose();
            }
        });
        return target;
    }

    /** The same pixels with a palette, or the image itself when it has more than 256 colours. */
    static BufferedImage indexed(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        Map<Integer, Integer> index = new LinkedHashMap<>();
        for (int c : rgb) {
            if (!index.containsKey(c)) {
                if (index.size() == 256) return img;
                index.put(c, index.size());
            }
        }
        int n = index.size();
        byte[] r = new byte[n], g = new byte[n], b = new byte[n];
        for (Map.Entry<Integer, Integer> e : index.entrySet()) {
            int c = e.getKey(), k = e.getValue();
            r[k] = (byte) (c >> 16);
            g[k] = (byte) (c >> 8);
            b[k] = (byte) c;
        }
        int bits = n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
        IndexColorModel cm = new IndexColorModel(bits, n, r, g, b);
        BufferedImage out = new BufferedImage(w, h, bits == 8 ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_BYTE_BINARY, cm);
        var raster = out.getRaster();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) raster.setSample(x, y, 0, index.get(rgb[y * w + x]));
        return out;
    }
}
