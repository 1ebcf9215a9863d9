package org.echostream.ingest.dicom;

/**
 * Grey level of a colour pixel as prep-1 defines it: floor(0.299 R + 0.587 G + 0.114 B + 0.5), summed
 * in that order in double precision, exactly as the model's reference preprocessing does.
 */
public final class Luma {

    private static final double[] RED = new double[256];
    private static final double[] GREEN = new double[256];
    private static final double[] BLUE = new double[256];

    static {
        for (int v = 0; v < 256; v++) {
            RED[v] = 0.299 * v;
            GREEN[v] = 0.587 * v;
            BLUE[v] = 0.114 * v;
        }
    }

    private Luma() {
    }

    /** @param r red 0..255 @param g green 0..255 @param b blue 0..255 */
    public static int of(int r, int g, int b) {
        int y = (int) Math.floor(RED[r] + GREEN[g] + BLUE[b] + 0.5);
        return y > 255 ? 255 : y;
    }
}
