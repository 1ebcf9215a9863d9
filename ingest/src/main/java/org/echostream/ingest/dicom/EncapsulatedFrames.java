package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Groups the fragments of encapsulated pixel data into frames (PS3.5 A.4): one fragment per frame when
 * the counts match, else by the Basic Offset Table, else (no table) a new frame at every fragment that
 * opens a codestream (JPEG SOI, JPEG 2000 SOC or JP2 signature). A single frame takes every fragment.
 */
final class EncapsulatedFrames {

    private EncapsulatedFrames() {
    }

    /** The fragments of each frame, in order. */
    static List<List<PixelDataLocation.Fragment>> split(ByteBuffer data, PixelDataLocation.Encapsulated pixels, int frames,
                                                        TransferSyntax.Codec codec) throws DicomInputException {
        List<PixelDataLocation.Fragment> items = pixels.items();
        if (items.isEmpty()) {
            throw new DicomInputException(RejectReason.MALFORMED_DATASET, "encapsulated pixel data without a Basic Offset Table item");
        }
        PixelDataLocation.Fragment table = items.get(0);
        List<PixelDataLocation.Fragment> fragments = items.subList(1, items.size());
        if (fragments.isEmpty()) {
            throw new DicomInputException(RejectReason.TRUNCATED_PIXEL_DATA, "encapsulated pixel data hold no fragment");
        }
        List<List<PixelDataLocation.Fragment>> out = new ArrayList<>(frames);
        if (fragments.size() == frames) {
            fragments.forEach(f -> out.add(List.of(f)));
            return out;
        }
        if (frames == 1) {
            out.add(List.copyOf(fragments));
            return out;
        }
        if (fragments.size() < frames) {
            throw new DicomInputException(RejectReason.TRUNCATED_PIXEL_DATA, String.format(
                    "%d frames declared but the encapsulated pixel data hold %d fragments", frames, fragments.size()));
        }
        if (codec == TransferSyntax.Codec.RLE) {
            throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                    "RLE needs one fragment per frame; %d frames are spread over %d fragments", frames, fragments.size()));
        }
        if (table.length() >= 4L * frames) {
            return byOffsetTable(data, table, fragments, frames);
        }
        int current = -1;
        for (PixelDataLocation.Fragment fragment : fragments) {
            if (opensCodestream(data, fragment) || current < 0) {
                out.add(new ArrayList<>());
                current++;
            }
            out.get(current).add(fragment);
        }
        if (out.size() != frames) {
            throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                    "%d frames declared, %d fragments without an offset table open %d codestreams", frames, fragments.size(), out.size()));
        }
        return out;
    }

    private static List<List<PixelDataLocation.Fragment>> byOffsetTable(ByteBuffer data, PixelDataLocation.Fragment table,
                                                                      List<PixelDataLocation.Fragment> fragments, int frames)
            throws DicomInputException {
        int firstItem = fragments.get(0).offset() - 8; // offsets count from the first fragment's item tag
        List<List<PixelDataLocation.Fragment>> out = new ArrayList<>(frames);
        int next = 0;
        for (int f = 0; f < frames; f++) {
            long start = DicomScanner.u32(data, table.offset() + 4 * f, false);
            long end = f + 1 < frames ? DicomScanner.u32(data, table.offset() + 4 * (f + 1), false) : Long.MAX_VALUE;
            List<PixelDataLocation.Fragment> frame = new ArrayList<>();
            while (next < fragments.size() && fragments.get(next).offset() - 8 - firstItem < end) {
                long at = fragments.get(next).offset() - 8 - firstItem;
                if (at < start) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                            "the Basic Offset Table does not point at fragment starts (frame " + f + ")");
                }
                frame.add(fragments.get(next++));
            }
            if (frame.isEmpty()) {
                throw new DicomInputException(RejectReason.MALFORMED_DATASET, "the Basic Offset Table gives frame " + f + " no fragment");
            }
            out.add(frame);
        }
        return out;
    }

    private static boolean opensCodestream(ByteBuffer data, PixelDataLocation.Fragment fragment) {
        if (fragment.length() < 4) {
            return false;
        }
        int a = data.get(fragment.offset()) & 0xFF;
        int b = data.get(fragment.offset() + 1) & 0xFF;
        int c = data.get(fragment.offset() + 2) & 0xFF;
        int d = data.get(fragment.offset() + 3) & 0xFF;
        boolean jpeg = a == 0xFF && b == 0xD8;
        boolean j2kCodestream = a == 0xFF && b == 0x4F && c == 0xFF && d == 0x51;
        boolean jp2Box = a == 0 && b == 0 && c == 0 && d == 0x0C;
        return jpeg || j2kCodestream || jp2Box;
    }

    /** The bytes of one frame, copied out of its fragments. */
    static byte[] bytes(ByteBuffer data, List<PixelDataLocation.Fragment> frame) {
        int size = 0;
        for (PixelDataLocation.Fragment f : frame) {
            size += f.length();
        }
        byte[] out = new byte[size];
        int o = 0;
        for (PixelDataLocation.Fragment f : frame) {
            data.get(f.offset(), out, o, f.length());
            o += f.length();
        }
        return out;
    }
}
