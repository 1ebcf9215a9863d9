package org.echostream.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.echostream.ingest.dicom.DicomLimits;
import org.echostream.ingest.dicom.RejectReason;

/**
 * Files crafted to make a decoder allocate (or recurse, or inflate) what they never hold, each named by what it
 * exercises, with the reason it must be rejected with; shared by the inspect, ingest-path and C-STORE tests.
 */
public final class CraftedFiles {

    public static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    public static final String JPEG_2000 = "1.2.840.10008.1.2.4.91";
    public static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    /** Small enough that the deflate bomb below stays cheap to build; everything else as in production. */
    public static final DicomLimits LIMITS = new DicomLimits(512L << 20, 16L << 20, 4000, 256L << 20, 64L << 20, 1536L << 20, 16);

    /** One crafted file and the reason it must get. */
    public record Crafted(byte[] bytes, RejectReason reason) {
    }

    private CraftedFiles() {
    }

    /** The crafted set, by file name, with the reason each must be rejected with. */
    public static Map<String, Crafted> set() {
        Map<String, Crafted> set = new LinkedHashMap<>();
        // the measured one: 642 bytes declaring one 16384x16384 RGB frame (768 MiB of samples, 256 MiB of grey)
        set.put("rle-rgb-16384.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.1", 16384, 16384, 1, "RGB")
                .encapsulated(List.of(rleHeaderOnly(3))).toPart10(Part10Writer.RLE, "1.2.826.0.1.1"), RejectReason.TOO_LARGE_DECODED));
        set.put("native-gray-16384.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.2", 16384, 16384, 1, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.2"),
                RejectReason.TOO_LARGE_DECODED));
        // 1000 frames of 512x512 pass every cap, but the file holds 100 bytes of them
        set.put("native-lying-length.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.3", 512, 512, 1000, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.3"),
                RejectReason.TRUNCATED_PIXEL_DATA));
        set.put("jpeg-rgb-65535.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.4", 65535, 65535, 1, "RGB")
                .encapsulated(List.of(jpegHeader(65535, 65535, 3))).toPart10(JPEG_BASELINE, "1.2.826.0.1.4"), RejectReason.TOO_LARGE_DECODED));
        // small attributes, a codestream header that asks the codec for 65535x65535
        set.put("jpeg-header-lies.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.5", 64, 64, 1, "MONOCHROME2")
                .encapsulated(List.of(jpegHeader(65535, 65535, 1))).toPart10(JPEG_BASELINE, "1.2.826.0.1.5"),
                RejectReason.CORRUPT_COMPRESSED_FRAME));
        set.put("deflate-bomb.dcm", new Crafted(deflateBomb(), RejectReason.FILE_TOO_LARGE));
        // three frames, a Basic Offset Table pointing far past the two fragments there are
        set.put("rle-lying-offset-table.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.7", 64, 64, 3, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 12)).raw(u32s(0, 1_000_000, 2_000_000))
                .raw(Part10Writer.itemHeader(0xE000, 64)).raw(rleHeaderOnly(1)).raw(Part10Writer.itemHeader(0xE000, 64)).raw(rleHeaderOnly(1))
                .raw(Part10Writer.itemHeader(0xE0DD, 0)).toPart10(Part10Writer.RLE, "1.2.826.0.1.7"), RejectReason.TRUNCATED_PIXEL_DATA));
        // two JPEG frames in three fragments, so the Basic Offset Table must say where frame 1 starts: it points a megabyte past the end
        // (with as many fragments as frames the table is not needed and not read, so a lie there cannot steer anything)
        set.put("jpeg-offset-table-past-end.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.14", 64, 64, 2, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 8)).raw(u32s(0, 1_000_000))
                .raw(fragment(jpegHeader(64, 64, 1))).raw(fragment(new byte[16])).raw(fragment(jpegHeader(64, 64, 1)))
                .raw(Part10Writer.itemHeader(0xE0DD, 0)).toPart10(JPEG_BASELINE, "1.2.826.0.1.14"), RejectReason.MALFORMED_DATASET));
        // a fragment item declaring 4 GB in a file of a few hundred bytes
        set.put("rle-lying-fragment-length.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.8", 64, 64, 1, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 0))
                .raw(Part10Writer.itemHeader(0xE000, 0xFFFFFFF0L)).raw(rleHeaderOnly(1)).toPart10(Part10Writer.RLE, "1.2.826.0.1.8"),
                RejectReason.TRUNCATED_PIXEL_DATA));
        // JPEG 2000: a SIZ segment declaring 65535x65535 RGB where the attributes say the same (too large before any codec runs) ...
        set.put("j2k-rgb-65535.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.10", 65535, 65535, 1, "RGB")
                .encapsulated(List.of(j2kHeader(65535, 65535, 3))).toPart10(JPEG_2000, "1.2.826.0.1.10"), RejectReason.TOO_LARGE_DECODED));
        // ... and one whose small attributes hide a SIZ of 4294967295x4294967295 (the u32 maximum) for the codec to size
        set.put("j2k-siz-lies.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.11", 64, 64, 1, "MONOCHROME2")
                .encapsulated(List.of(j2kHeader(0xFFFFFFFFL, 0xFFFFFFFFL, 1))).toPart10(JPEG_2000, "1.2.826.0.1.11"),
                RejectReason.CORRUPT_COMPRESSED_FRAME));
        // 10,000 sequences nested in one another (200 KB): a recursive reader would overflow its stack
        set.put("nested-sequences-10000.dcm", new Crafted(nestedSequences(10_000), RejectReason.MALFORMED_DATASET));
        // native pixels declared 65535x65535 RGB, 16 bits: 24 GiB of samples in a file of a few hundred bytes
        set.put("native-rgb16-65535.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.13", 65535, 65535, 1, "RGB")
                .header(0x7FE0, 0x0010, "OW", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.13"),
                RejectReason.TOO_LARGE_DECODED));
        return set;
    }

    private static byte[] fragment(byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(8 + value.length).put(Part10Writer.itemHeader(0xE000, value.length)).put(value);
        return b.array();
    }

    /** SOC and a SIZ segment declaring the geometry (one tile), then EOC: what a JPEG 2000 codec sizes its buffers from. */
    public static byte[] j2kHeader(long width, long height, int components) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 38 + 3 * components + 2); // big-endian, as the codestream is
        b.putShort((short) 0xFF4F).putShort((short) 0xFF51).putShort((short) (38 + 3 * components)).putShort((short) 0)
                .putInt((int) width).putInt((int) height).putInt(0).putInt(0).putInt((int) width).putInt((int) height).putInt(0).putInt(0)
                .putShort((short) components);
        for (int c = 0; c < components; c++) {
            b.put((byte) 7).put((byte) 1).put((byte) 1); // 8-bit unsigned, no subsampling
        }
        b.putShort((short) 0xFFD9);
        return b.array();
    }

    /** A data set whose first element opens {@code depth} undefined-length sequences, each holding one item holding the next. */
    public static byte[] nestedSequences(int depth) {
        Part10Writer w = Part10Writer.explicit().string(0x0008, 0x0016, "UI", Part10Writer.US_MULTIFRAME);
        for (int i = 0; i < depth; i++) {
            w.header(0x0040, 0xA730, "SQ", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 0xFFFFFFFFL));
        }
        for (int i = 0; i < depth; i++) {
            w.raw(Part10Writer.itemHeader(0xE00D, 0)).raw(Part10Writer.itemHeader(0xE0DD, 0));
        }
        return w.toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.12");
    }

    /** An RLE frame header naming {@code segments} segments that all start right after it: nothing to decode. */
    public static byte[] rleHeaderOnly(int segments) {
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(segments);
        for (int s = 0; s < segments; s++) {
            header.putInt(64);
        }
        return header.array();
    }

    /** SOI and a baseline SOF0 declaring the geometry, then EOI: what a codec sizes its buffers from. */
    private static byte[] jpegHeader(int width, int height, int components) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 8 + 3 * components + 2 + (components % 2 == 0 ? 0 : 1));
        b.put((byte) 0xFF).put((byte) 0xD8).put((byte) 0xFF).put((byte) 0xC0).putShort((short) (8 + 3 * components)).put((byte) 8)
                .putShort((short) height).putShort((short) width).put((byte) components);
        for (int c = 0; c < components; c++) {
            b.put((byte) (c + 1)).put((byte) 0x11).put((byte) 0);
        }
        b.put((byte) 0xFF).put((byte) 0xD9);
        return b.array();
    }

    /** 32 MiB of zeros in one element, deflated to about 32 KB: twice the inflation the limits allow. */
    private static byte[] deflateBomb() {
        byte[] dataset = Part10Writer.explicit().string(0x0008, 0x0016, "UI", Part10Writer.US_MULTIFRAME)
                .header(0x0009, 0x1010, "OB", 32L << 20).raw(new byte[32 << 20]).dataset();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(dataset);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        while (!deflater.finished()) {
            out.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(Part10Writer.explicit().toPart10(DEFLATED, "1.2.826.0.1.6"));
        file.writeBytes(out.toByteArray());
        return file.toByteArray();
    }

    private static byte[] u32s(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

}
