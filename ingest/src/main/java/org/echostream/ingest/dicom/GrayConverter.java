package org.echostream.ingest.dicom;

/**
 * Converts decoded frames to one 8-bit grey channel: monochrome as is (MONOCHROME1 inverted), samples
 * wider than 8 bits scaled from their stored range (Bits Stored) to 0..255, colour through {@link Luma},
 * palette indices through the tables, YCbCr by its luma Y.
 */
final class GrayConverter {

    private final PixelFormat format;
    private final int storedMask;
    /** Grey level of every masked stored value, for one-sample images and the luma of wide colour samples. */
    private final byte[] grayOfValue;
    private final byte[] eightBitOfValue;

    GrayConverter(PixelFormat format, PaletteTables palette) throws DicomInputException {
        this.format = format;
        int bits = format.bitsStored();
        this.storedMask = (1 << bits) - 1;
        int values = 1 << bits;
        if (format.photometric() == Photometric.PALETTE_COLOR) {
            grayOfValue = PaletteLut.grayByIndex(palette, format, values);
        } else {
            grayOfValue = new byte[values];
            boolean inverted = format.photometric() == Photometric.MONOCHROME1;
            for (int v = 0; v < values; v++) {
                int g = scaleToEightBit(v, bits, format.signed());
                grayOfValue[v] = (byte) (inverted ? 255 - g : g);
            }
        }
        eightBitOfValue = new byte[values];
        for (int v = 0; v < values; v++) {
            eightBitOfValue[v] = (byte) scaleToEightBit(v, bits, false);
        }
    }

    /** floor((v - min) * 255 / (max - min) + 0.5) over the stored range [min, max] of {@code bits}-bit values. */
    static int scaleToEightBit(int masked, int bits, boolean signed) {
        if (bits == 8 && !signed) {
            return masked;
        }
        double max = (1L << bits) - 1;
        double v = masked;
        if (signed) {
            int shift = 32 - bits;
            v = ((masked << shift) >> shift) + (1L << (bits - 1));
        }
        return (int) Math.floor(v * 255.0 / max + 0.5);
    }

    /** Writes {@code f.pixels} grey levels at {@code out[offset..]}. */
    void convert(FrameBuffer f, byte[] out, int offset) {
        switch (f.colour) {
            case GRAY, GRAY_INVERTED, PALETTE -> single(f, out, offset);
            case RGB -> rgb(f, out, offset);
            case YBR -> luma(f, out, offset, false);
            case YBR_PARTIAL -> luma(f, out, offset, true);
            default -> throw new IllegalStateException("unhandled colour " + f.colour);
        }
    }

    private void single(FrameBuffer f, byte[] out, int offset) {
        int n = f.pixels;
        if (!f.wide) {
            byte[] src = f.bytes;
            if (f.colour == FrameBuffer.Colour.GRAY && format.bitsStored() == 8 && !format.signed()) {
                System.arraycopy(src, 0, out, offset, n);
                return;
            }
            for (int p = 0; p < n; p++) {
                out[offset + p] = grayOfValue[src[p] & storedMask & 0xFF];
            }
            return;
        }
        int[] src = f.words;
        for (int p = 0; p < n; p++) {
            out[offset + p] = grayOfValue[src[p] & storedMask];
        }
    }

    private void rgb(FrameBuffer f, byte[] out, int offset) {
        int n = f.pixels;
        int r0 = f.index(0, 0);
        int g0 = f.index(0, 1);
        int b0 = f.index(0, 2);
        int step = f.planar ? 1 : 3;
        if (!f.wide) {
            byte[] s = f.bytes;
            for (int p = 0, i = 0; p < n; p++, i += step) {
                out[offset + p] = (byte) Luma.of(s[r0 + i] & 0xFF, s[g0 + i] & 0xFF, s[b0 + i] & 0xFF);
            }
            return;
        }
        int[] s = f.words;
        for (int p = 0, i = 0; p < n; p++, i += step) {
            out[offset + p] = (byte) Luma.of(eightBitOfValue[s[r0 + i] & storedMask] & 0xFF,
                    eightBitOfValue[s[g0 + i] & storedMask] & 0xFF, eightBitOfValue[s[b0 + i] & storedMask] & 0xFF);
        }
    }

    private void luma(FrameBuffer f, byte[] out, int offset, boolean partialRange) {
        int n = f.pixels;
        int y0 = f.index(0, 0);
        int step = f.planar ? 1 : f.samples;
        for (int p = 0, i = y0; p < n; p++, i += step) {
            int y = f.wide ? eightBitOfValue[f.words[i] & storedMask] & 0xFF : f.bytes[i] & 0xFF;
            if (partialRange) {
                y = (int) Math.floor((y - 16) * 255.0 / 219.0 + 0.5);
                y = y < 0 ? 0 : Math.min(255, y);
            }
            out[offset + p] = (byte) y;
        }
    }
}
