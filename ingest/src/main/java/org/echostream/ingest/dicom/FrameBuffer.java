package org.echostream.ingest.dicom;

/**
 * One decoded frame's samples, reused from frame to frame: 8-bit samples in {@code bytes} or wider ones
 * in {@code words}, interleaved (pixel by pixel) or planar (plane by plane). {@code colour} says what
 * the samples mean after the codec, which may differ from the attribute (a JPEG codec's YCbCr).
 */
final class FrameBuffer {

    /** What the samples of a decoded frame are. */
    enum Colour {
        /** One sample, grey level (MONOCHROME2). */
        GRAY,
        /** One sample, inverted grey level (MONOCHROME1). */
        GRAY_INVERTED,
        /** One sample, palette index. */
        PALETTE,
        /** Three samples R, G, B. */
        RGB,
        /** Three samples Y, Cb, Cr, full range: the luma is Y. */
        YBR,
        /** Three samples Y, Cb, Cr, Y in 16..235. */
        YBR_PARTIAL
    }

    byte[] bytes = new byte[0];
    int[] words = new int[0];
    boolean wide;
    boolean planar;
    int samples;
    int pixels;
    /** Bits per sample of the decoded values, for scaling wide samples. */
    int bits;
    Colour colour;

    void prepareBytes(int pixels, int samples, boolean planar, Colour colour) {
        int size = pixels * samples;
        if (bytes.length < size) {
            bytes = new byte[size];
        }
        this.wide = false;
        set(pixels, samples, planar, colour, 8);
    }

    void prepareWords(int pixels, int samples, boolean planar, Colour colour, int bits) {
        int size = pixels * samples;
        if (words.length < size) {
            words = new int[size];
        }
        this.wide = true;
        set(pixels, samples, planar, colour, bits);
    }

    private void set(int pixels, int samples, boolean planar, Colour colour, int bits) {
        this.pixels = pixels;
        this.samples = samples;
        this.planar = planar;
        this.colour = colour;
        this.bits = bits;
    }

    /** Index of sample {@code s} of pixel {@code p}. */
    int index(int p, int s) {
        return planar ? s * pixels + p : p * samples + s;
    }
}
