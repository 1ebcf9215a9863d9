package org.echostream.ingest.dicom;

/**
 * The size and colour facts of a JPEG or JPEG 2000 codestream, read from its headers before a codec sees
 * it: a codec sizes its buffers from these headers, so they must agree with the attributes first.
 *
 * @param precision    bits per sample
 * @param components   number of components
 * @param ycbcr        for three-component JPEG, whether the components are YCbCr (the codec does not convert them)
 * @param sofMarker    the JPEG start-of-frame marker (0xC0..0xCF), 0 for JPEG 2000
 */
record CodestreamHeader(int width, int height, int precision, int components, boolean ycbcr, int sofMarker) {

    /** How far into a frame headers are searched before the image data must have begun. */
    private static final int MAX_HEADER_SCAN = 1 << 20;

    /**
     * Reads a JPEG's SOF, JFIF and Adobe markers. Whether three components are YCbCr: an Adobe marker's
     * transform flag says so when present, a JFIF marker means YCbCr, component identifiers 'R','G','B' mean
     * RGB; a stream with none of these follows the Photometric Interpretation (RGB: not transformed, as
     * PS3.5 8.2.1 allows), where the IJG library would assume YCbCr and turn an untransformed image wrong.
     *
     * @param photometricSaysYcbcr whether the attribute says YBR_*
     */
    static CodestreamHeader jpeg(byte[] b, int frame, boolean photometricSaysYcbcr) throws DicomInputException {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            throw corrupt(frame, "does not open with a JPEG start-of-image marker");
        }
        int pos = 2;
        boolean jfif = false;
        int adobeTransform = -1;
        while (pos + 4 <= b.length && pos < MAX_HEADER_SCAN) {
            if ((b[pos] & 0xFF) != 0xFF) {
                throw corrupt(frame, "has no JPEG marker at byte " + pos);
            }
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xFF) {
                pos++; // fill byte
                continue;
            }
            int length = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            if (length < 2 || pos + 2 + length > b.length) {
                throw corrupt(frame, "has a JPEG marker segment 0x" + Integer.toHexString(marker) + " running past the frame");
            }
            int data = pos + 4;
            if (marker == 0xE0 && length >= 7 && b[data] == 'J' && b[data + 1] == 'F' && b[data + 2] == 'I' && b[data + 3] == 'F') {
                jfif = true;
            } else if (marker == 0xEE && length >= 14 && b[data] == 'A' && b[data + 1] == 'd' && b[data + 2] == 'o' && b[data + 3] == 'b') {
                adobeTransform = b[data + 11] & 0xFF;
            } else if (isStartOfFrame(marker)) {
                if (length < 8) {
                    throw corrupt(frame, "has a JPEG start-of-frame segment of " + length + " bytes");
                }
                int precision = b[data] & 0xFF;
                int height = ((b[data + 1] & 0xFF) << 8) | (b[data + 2] & 0xFF);
                int width = ((b[data + 3] & 0xFF) << 8) | (b[data + 4] & 0xFF);
                int components = b[data + 5] & 0xFF;
                if (length < 8 + 3 * components) {
                    throw corrupt(frame, "has a JPEG start-of-frame segment too short for " + components + " components");
                }
                boolean rgbIds = components == 3 && b[data + 6] == 'R' && b[data + 9] == 'G' && b[data + 12] == 'B';
                boolean ycbcr = components == 3
                        && (adobeTransform >= 0 ? adobeTransform != 0 : jfif || (!rgbIds && photometricSaysYcbcr));
                return new CodestreamHeader(width, height, precision, components, ycbcr, marker);
            } else if (marker == 0xDA) {
                break;
            }
            pos += 2 + length;
        }
        throw corrupt(frame, "has no JPEG start-of-frame marker before its image data");
    }

    /** Reads the SIZ segment of a JPEG 2000 codestream, raw or inside a JP2 file. */
    static CodestreamHeader jpeg2000(byte[] b, int frame) throws DicomInputException {
        int limit = Math.min(b.length - 4, MAX_HEADER_SCAN);
        for (int i = 0; i < limit; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == 0x4F && (b[i + 2] & 0xFF) == 0xFF && (b[i + 3] & 0xFF) == 0x51) {
                int s = i + 4; // SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz XTOsiz YTOsiz Csiz {Ssiz XRsiz YRsiz}
                if (s + 38 + 3 > b.length) {
                    break;
                }
                long xsiz = u32(b, s + 4);
                long ysiz = u32(b, s + 8);
                long xo = u32(b, s + 12);
                long yo = u32(b, s + 16);
                int components = ((b[s + 36] & 0xFF) << 8) | (b[s + 37] & 0xFF);
                int precision = (b[s + 38] & 0x7F) + 1;
                long width = xsiz - xo;
                long height = ysiz - yo;
                if (width <= 0 || height <= 0 || width > 0xFFFF || height > 0xFFFF) {
                    throw corrupt(frame, "declares a JPEG 2000 image of " + width + "x" + height);
                }
                return new CodestreamHeader((int) width, (int) height, precision, components, false, 0);
            }
        }
        throw corrupt(frame, "has no JPEG 2000 codestream (SOC and SIZ markers) in its first bytes");
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static long u32(byte[] b, int p) {
        return ((long) (b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    private static DicomInputException corrupt(int frame, String fact) {
        return new DicomInputException(RejectReason.CORRUPT_COMPRESSED_FRAME, "frame " + frame + " " + fact);
    }
}
