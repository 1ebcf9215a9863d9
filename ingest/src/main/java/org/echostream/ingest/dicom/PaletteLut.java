package org.echostream.ingest.dicom;

import java.util.Arrays;

/**
 * Turns the palette colour lookup tables of a PALETTE COLOR image into one grey level per pixel value:
 * each index goes through the red, green and blue tables, then through the luma of {@link Luma}.
 * Understands plain and segmented tables (PS3.3 C.7.6.3.1.5, C.7.9.2), 8- and 16-bit entries.
 */
final class PaletteLut {

    /** Indirect segments may refer to indirect segments; a well-formed table needs one level. */
    private static final int MAX_INDIRECTION = 4;

    private PaletteLut() {
    }

    /**
     * @param format     the image's pixel format (PALETTE COLOR)
     * @param indexCount how many index values the pixels can take (2^bits stored)
     * @return the grey level of every index value 0..indexCount-1
     */
    static byte[] grayByIndex(PaletteTables tables, PixelFormat format, int indexCount) throws DicomInputException {
        if (tables == null) {
            throw new DicomInputException(RejectReason.INVALID_PALETTE, "PALETTE COLOR image without Palette Color Lookup Tables");
        }
        int[][] descriptors = {tables.redDescriptor(), tables.greenDescriptor(), tables.blueDescriptor()};
        int[][] data = {tables.red(), tables.green(), tables.blue()};
        String[] names = {"red", "green", "blue"};
        int[][] channels = new int[3][];
        int firstMapped = 0;
        for (int c = 0; c < 3; c++) {
            int[] d = descriptors[c];
            if (d == null || d.length != 3) {
                throw new DicomInputException(RejectReason.INVALID_PALETTE, "the " + names[c] + " palette descriptor does not have 3 values");
            }
            if (data[c] == null || data[c].length == 0) {
                throw new DicomInputException(RejectReason.INVALID_PALETTE, "the " + names[c] + " palette has no data");
            }
            int entries = (d[0] & 0xFFFF) == 0 ? 65536 : d[0] & 0xFFFF;
            int bits = d[2];
            if (bits != 8 && bits != 16) {
                throw new DicomInputException(RejectReason.INVALID_PALETTE, "the " + names[c] + " palette has " + bits + " bits per entry");
            }
            int[] words = tables.segmented() ? expandSegmented(data[c], entries, names[c]) : data[c];
            channels[c] = toEightBit(words, entries, bits, names[c]);
            firstMapped = format.signed() ? (short) d[1] : d[1] & 0xFFFF;
        }
        byte[] gray = new byte[indexCount];
        for (int v = 0; v < indexCount; v++) {
            int index = (format.signed() ? signExtend(v, format.bitsStored()) : v) - firstMapped;
            int r = channels[0][clamp(index, channels[0].length)];
            int g = channels[1][clamp(index, channels[1].length)];
            int b = channels[2][clamp(index, channels[2].length)];
            gray[v] = (byte) Luma.of(r, g, b);
        }
        return gray;
    }

    private static int[] toEightBit(int[] words, int entries, int bits, String name) throws DicomInputException {
        int[] out = new int[entries];
        if (bits == 8 && words.length * 2 == entries) {
            // 8-bit entries packed two per 16-bit word, the first in the low byte
            for (int i = 0; i < entries; i++) {
                out[i] = (i % 2 == 0 ? words[i / 2] : words[i / 2] >> 8) & 0xFF;
            }
            return out;
        }
        if (words.length < entries) {
            throw new DicomInputException(RejectReason.INVALID_PALETTE, String.format(
                    "the %s palette declares %,d entries but holds %,d", name, entries, words.length));
        }
        boolean wideValues = Arrays.stream(words, 0, entries).anyMatch(w -> w > 0xFF);
        for (int i = 0; i < entries; i++) {
            // 16-bit entries keep their high byte; an 8-bit table stored one entry per word keeps the word
            out[i] = bits == 16 || wideValues ? (words[i] >> 8) & 0xFF : words[i] & 0xFF;
        }
        return out;
    }

    /** Expands Segmented Palette Color LUT Data (discrete, linear and indirect segments) to {@code entries} words. */
    static int[] expandSegmented(int[] data, int entries, String name) throws DicomInputException {
        int[] out = new int[entries];
        int size = expand(data, 0, data.length, Integer.MAX_VALUE, out, 0, 0, name);
        if (size == 0) {
            throw new DicomInputException(RejectReason.INVALID_PALETTE, "the segmented " + name + " palette is empty");
        }
        Arrays.fill(out, size, entries, out[size - 1]);
        return out;
    }

    private static int expand(int[] data, int start, int end, int maxSegments, int[] out, int size, int depth, String name)
            throws DicomInputException {
        int pos = start;
        int segments = 0;
        while (pos + 1 < end && segments < maxSegments && size < out.length) {
            int opcode = data[pos];
            int length = data[pos + 1];
            segments++;
            switch (opcode) {
                case 0 -> { // discrete: length values follow
                    int n = Math.min(length, Math.min(end - pos - 2, out.length - size));
                    System.arraycopy(data, pos + 2, out, size, n);
                    size += n;
                    pos += 2 + length;
                }
                case 1 -> { // linear: from the previous value to the one that follows, in length steps
                    if (size == 0 || pos + 2 >= end) {
                        throw new DicomInputException(RejectReason.INVALID_PALETTE, "the segmented " + name + " palette opens with a linear segment");
                    }
                    double from = out[size - 1];
                    int to = data[pos + 2];
                    for (int i = 1; i <= length && size < out.length; i++) {
                        out[size++] = (int) Math.round(from + (to - from) * i / length);
                    }
                    pos += 3;
                }
                case 2 -> { // indirect: copy `length` segments found at a 32-bit word offset, low word first
                    if (depth >= MAX_INDIRECTION || pos + 3 >= end) {
                        throw new DicomInputException(RejectReason.INVALID_PALETTE, "the segmented " + name + " palette has a broken indirect segment");
                    }
                    long offset = (data[pos + 2] & 0xFFFFL) | ((data[pos + 3] & 0xFFFFL) << 16);
                    if (offset >= data.length) {
                        throw new DicomInputException(RejectReason.INVALID_PALETTE, "the segmented " + name + " palette points outside itself");
                    }
                    size = expand(data, (int) offset, data.length, length, out, size, depth + 1, name);
                    pos += 4;
                }
                default -> throw new DicomInputException(RejectReason.INVALID_PALETTE,
                        "the segmented " + name + " palette has an unknown segment type " + opcode);
            }
        }
        return size;
    }

    private static int clamp(int index, int length) {
        return index < 0 ? 0 : Math.min(index, length - 1);
    }

    private static int signExtend(int v, int bits) {
        int shift = 32 - bits;
        return (v << shift) >> shift;
    }
}
