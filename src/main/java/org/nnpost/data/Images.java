package org.nnpost.data;

/**
 * Labelled images as stored on disk: unsigned 8-bit pixels, image-major, each image's pixels in
 * the file's order (rows × cols × channels for IDX, channel planes for CIFAR-10).
 */
public record Images(String name, int count, int pixelsPerImage, byte[] pixels, int[] labels, int classes) {
    public Images {
        if (pixels.length != (long) count * pixelsPerImage || labels.length != count)
            throw new IllegalArgumentException("inconsistent image arrays");
    }

    /** Pixel j of image k as 0..255. */
    public int pixel(int k, int j) { return pixels[k * pixelsPerImage + j] & 0xFF; }
}
