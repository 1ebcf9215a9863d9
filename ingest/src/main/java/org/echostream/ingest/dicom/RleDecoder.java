package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * DICOM RLE Lossless (PS3.5 Annex G), written for speed because PixelMed's decoder runs ~30x slower than
 * dcmtk's on ultrasound frames. A frame is a 64-byte header (segment count, 15 offsets) and one PackBits
 * segment per byte plane: sample by sample, most significant byte first. Planes are decoded contiguously
 * (runs become {@code Arrays.fill}, literals {@code System.arraycopy}) into a planar frame buffer.
 */
final class RleDecoder {

    private static final int HEADER_BYTES = 64;
    private static final int MAX_SEGMENTS = 15;

    private byte[] plane = new byte[0];

    /**
     * Decodes one frame of {@code format} from {@code src[offset, offset + length)} into {@code out}.
     *
     * @throws DicomInputException CORRUPT_COMPRESSED_FRAME naming the frame, segment and fact
     */
    void decode(ByteBuffer src, int offset, int length, PixelFormat format, FrameBuffer.Colour colour, int frame, FrameBuffer out)
            throws DicomInputException {
        int bytesPerSample = format.bitsAllocated() / 8;
        int expectedSegments = format.samples() * bytesPerSample;
        int pixels = format.pixels();
        if (length < HEADER_BYTES) {
            throw corrupt(frame, "holds " + length + " bytes, less than its 64-byte header");
        }
        long segments = u32(src, offset);
        if (segments != expectedSegments) {
            throw corrupt(frame, "has " + segments + " segments, " + format.samples() + " samples of " + format.bitsAllocated()
                    + " bits need " + expectedSegments);
        }
        int[] starts = new int[expectedSegments + 1];
        for (int s = 0; s < expectedSegments; s++) {
            long start = u32(src, offset + 4 + 4 * s);
            if (start < HEADER_BYTES || start > length || (s > 0 && start < starts[s - 1])) {
                throw corrupt(frame, "segment " + s + " starts at " + start + ", outside the frame's " + length + " bytes");
            }
            starts[s] = (int) start;
        }
        starts[expectedSegments] = length;
        if (bytesPerSample == 1) {
            out.prepareBytes(pixels, format.samples(), true, colour);
            for (int s = 0; s < expectedSegments; s++) {
                unpack(src, offset + starts[s], offset + starts[s + 1], out.bytes, s * pixels, pixels, frame, s);
            }
            return;
        }
        out.prepareWords(pixels, format.samples(), true, colour, format.bitsStored());
        if (plane.length < pixels) {
            plane = new byte[pixels];
        }
        int[] words = out.words;
        for (int sample = 0; sample < format.samples(); sample++) {
            int base = sample * pixels;
            Arrays.fill(words, base, base + pixels, 0);
            for (int b = 0; b < bytesPerSample; b++) {
                int s = sample * bytesPerSample + b;
                unpack(src, offset + starts[s], offset + starts[s + 1], plane, 0, pixels, frame, s);
                int shift = 8 * (bytesPerSample - 1 - b);
                for (int p = 0; p < pixels; p++) {
                    words[base + p] |= (plane[p] & 0xFF) << shift;
                }
            }
        }
    }

    /** PackBits: n >= 0 copies n + 1 literal bytes, -127..-1 repeats the next byte 1 - n times, -128 is a no-op. */
    private static void unpack(ByteBuffer src, int pos, int end, byte[] out, int outStart, int count, int frame, int segment)
            throws DicomInputException {
        int o = outStart;
        int outEnd = outStart + count;
        while (o < outEnd) {
            if (pos >= end) {
                throw corrupt(frame, String.format("segment %d decodes to %,d of %,d bytes", segment, o - outStart, count));
            }
            int n = src.get(pos++);
            if (n >= 0) {
                int literal = n + 1;
                if (pos + literal > end) {
                    throw corrupt(frame, String.format("segment %d: a literal run of %d bytes passes the segment's end", segment, literal));
                }
                int take = Math.min(literal, outEnd - o);
                src.get(pos, out, o, take);
                o += take;
                pos += literal;
            } else if (n != -128) {
                if (pos >= end) {
                    throw corrupt(frame, "segment " + segment + ": a replicate run has no byte to repeat");
                }
                int run = Math.min(1 - n, outEnd - o);
                byte value = src.get(pos++);
                Arrays.fill(out, o, o + run, value);
                o += run;
            }
        }
    }

    private static long u32(ByteBuffer b, int pos) {
        return DicomScanner.u32(b, pos, false);
    }

    private static DicomInputException corrupt(int frame, String fact) {
        return new DicomInputException(RejectReason.CORRUPT_COMPRESSED_FRAME, "RLE frame " + frame + " " + fact);
    }
}
