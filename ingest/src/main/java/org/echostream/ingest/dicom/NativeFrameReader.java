package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;

/** Uncompressed frames, read in place from the pixel data value: little or big endian, interleaved or planar. */
final class NativeFrameReader {

    private NativeFrameReader() {
    }

    static void read(ByteBuffer data, PixelDataLocation.Native pixels, PixelFormat format, boolean bigEndian, int frame,
                     FrameBuffer.Colour colour, FrameBuffer out) {
        int frameBytes = (int) format.nativeFrameBytes();
        int base = pixels.offset() + frame * frameBytes;
        int count = format.pixels();
        Photometric photometric = format.photometric();
        if (photometric == Photometric.YBR_FULL_422 || photometric == Photometric.YBR_PARTIAL_422) {
            // Y0 Y1 Cb Cr for each pair of pixels: the luma is all that is kept
            out.prepareBytes(count, 1, false, colour);
            for (int p = 0; p < count; p += 2) {
                int at = base + 2 * p;
                out.bytes[p] = data.get(at);
                if (p + 1 < count) {
                    out.bytes[p + 1] = data.get(at + 1);
                }
            }
            return;
        }
        int samples = format.samples() * count;
        if (format.bitsAllocated() == 8) {
            out.prepareBytes(count, format.samples(), format.planar(), colour);
            data.get(base, out.bytes, 0, samples);
            if (bigEndian && "OW".equals(pixels.vr())) {
                // 8-bit samples in an OW value of a big endian data set arrive swapped in pairs
                for (int i = 0; i + 1 < samples; i += 2) {
                    byte t = out.bytes[i];
                    out.bytes[i] = out.bytes[i + 1];
                    out.bytes[i + 1] = t;
                }
            }
            return;
        }
        out.prepareWords(count, format.samples(), format.planar(), colour, format.bitsStored());
        for (int i = 0; i < samples; i++) {
            out.words[i] = DicomScanner.u16(data, base + 2 * i, bigEndian);
        }
    }

    /** The decoded meaning of native samples: exactly what the attribute says. */
    static FrameBuffer.Colour colourOf(Photometric photometric) {
        return switch (photometric) {
            case MONOCHROME1 -> FrameBuffer.Colour.GRAY_INVERTED;
            case MONOCHROME2 -> FrameBuffer.Colour.GRAY;
            case PALETTE_COLOR -> FrameBuffer.Colour.PALETTE;
            case RGB -> FrameBuffer.Colour.RGB;
            case YBR_FULL, YBR_FULL_422, YBR_RCT, YBR_ICT -> FrameBuffer.Colour.YBR;
            case YBR_PARTIAL_422 -> FrameBuffer.Colour.YBR_PARTIAL;
        };
    }
}
