package org.echostream.ingest.testing;

import org.echostream.dicom.net.TransferSyntaxUid;
import org.echostream.dicom.net.Uid;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes small DICOM Part 10 files for tests, element by element, in Explicit VR Little Endian (or
 * Implicit VR), including deliberately broken ones: any length can be declared.
 */
public final class Part10Writer {

    public static final String EXPLICIT_LE = TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value();
    public static final String IMPLICIT_LE = TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value();
    public static final String RLE = TransferSyntaxUid.RLE_LOSSLESS.value();
    public static final String US_MULTIFRAME = Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE.value();

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final boolean explicit;

    private Part10Writer(boolean explicit) {
        this.explicit = explicit;
    }

    public static Part10Writer explicit() {
        return new Part10Writer(true);
    }

    public static Part10Writer implicit() {
        return new Part10Writer(false);
    }

    public Part10Writer element(int group, int element, String vr, byte[] value) {
        return header(group, element, vr, value.length).raw(value);
    }

    /** An element header declaring {@code length}, whatever follows. */
    public Part10Writer header(int group, int element, String vr, long length) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) group).putShort((short) element);
        if (explicit) {
            b.put(vr.getBytes(StandardCharsets.US_ASCII));
            if (List.of("OB", "OW", "SQ", "UN", "UT", "UC", "UR", "OF", "OD", "OL").contains(vr)) {
                b.putShort((short) 0).putInt((int) length);
            } else {
                b.putShort((short) length);
            }
        } else {
            b.putInt((int) length);
        }
        body.write(b.array(), 0, b.position());
        return this;
    }

    public Part10Writer raw(byte[] bytes) {
        body.write(bytes, 0, bytes.length);
        return this;
    }

    public Part10Writer string(int group, int element, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length % 2 == 1) {
            byte[] padded = new byte[v.length + 1];
            System.arraycopy(v, 0, padded, 0, v.length);
            padded[v.length] = (byte) (vr.equals("UI") ? 0 : ' ');
            v = padded;
        }
        return element(group, element, vr, v);
    }

    public Part10Writer us(int group, int element, int... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return element(group, element, "US", b.array());
    }

    public Part10Writer ul(int group, int element, long value) {
        return element(group, element, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) value).array());
    }

    /** A sequence of defined-length items, each a nested writer's elements. */
    public Part10Writer sequence(int group, int element, Part10Writer... items) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (Part10Writer item : items) {
            byte[] bytes = item.body.toByteArray();
            content.writeBytes(itemHeader(0xE000, bytes.length));
            content.writeBytes(bytes);
        }
        return element(group, element, "SQ", content.toByteArray());
    }

    public static Part10Writer item() {
        return explicit();
    }

    /** Encapsulated pixel data: an empty offset table, then one fragment per frame. */
    public Part10Writer encapsulated(List<byte[]> fragments) {
        header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL);
        raw(itemHeader(0xE000, 0));
        for (byte[] f : fragments) {
            raw(itemHeader(0xE000, f.length)).raw(f);
        }
        return raw(itemHeader(0xE0DD, 0));
    }

    public static byte[] itemHeader(int element, long length) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0xFFFE).putShort((short) element)
                .putInt((int) length).array();
    }

    /** The common identity and image attributes of an ultrasound multi-frame object (no group 0018 elements). */
    public Part10Writer usImage(String sopUid, int rows, int columns, int frames, String photometric) {
        return usImage(sopUid, rows, columns, frames, photometric, w -> { });
    }

    /**
     * The common identity and image attributes of an ultrasound multi-frame object, with the caller's group
     * 0018 elements (frame time, regions, heart rate) written in tag order between patient and study groups.
     */
    public Part10Writer usImage(String sopUid, int rows, int columns, int frames, String photometric,
                                java.util.function.Consumer<Part10Writer> acquisition) {
        string(0x0008, 0x0016, "UI", US_MULTIFRAME)
                .string(0x0008, 0x0018, "UI", sopUid)
                .string(0x0008, 0x0060, "CS", "US")
                .string(0x0010, 0x0010, "PN", "DOE^JANE")
                .string(0x0010, 0x0020, "LO", "PID-4711");
        acquisition.accept(this);
        string(0x0020, 0x000D, "UI", sopUid + ".1")
                .string(0x0020, 0x000E, "UI", sopUid + ".2")
                .us(0x0028, 0x0002, photometric.equals("RGB") ? 3 : 1)
                .string(0x0028, 0x0004, "CS", photometric);
        if (photometric.equals("RGB")) {
            us(0x0028, 0x0006, 0);
        }
        return string(0x0028, 0x0008, "IS", String.valueOf(frames))
                .us(0x0028, 0x0010, rows)
                .us(0x0028, 0x0011, columns)
                .us(0x0028, 0x0100, 8)
                .us(0x0028, 0x0101, 8)
                .us(0x0028, 0x0102, 7)
                .us(0x0028, 0x0103, 0);
    }

    /** The data set written so far, without preamble or file meta information (to deflate it, for one). */
    public byte[] dataset() {
        return body.toByteArray();
    }

    /** The whole file: preamble, DICM, file meta information, then the data set written so far. */
    public byte[] toPart10(String transferSyntax, String sopUid) {
        Part10Writer meta = explicit();
        meta.element(0x0002, 0x0001, "OB", new byte[] {0, 1})
                .string(0x0002, 0x0002, "UI", US_MULTIFRAME)
                .string(0x0002, 0x0003, "UI", sopUid)
                .string(0x0002, 0x0010, "UI", transferSyntax);
        byte[] metaBytes = meta.body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        Part10Writer group = explicit().ul(0x0002, 0x0000, metaBytes.length);
        out.writeBytes(group.body.toByteArray());
        out.writeBytes(metaBytes);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** PackBits-encodes one byte plane the simple way (literal runs of up to 128 bytes). */
    public static byte[] packBits(byte[] plane) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < plane.length) {
            int run = 1;
            while (i + run < plane.length && run < 128 && plane[i + run] == plane[i]) {
                run++;
            }
            if (run >= 3) {
                out.write(1 - run);
                out.write(plane[i]);
                i += run;
            } else {
                int n = Math.min(128, plane.length - i);
                out.write(n - 1);
                out.write(plane, i, n);
                i += n;
            }
        }
        if (out.size() % 2 == 1) {
            out.write(0x80); // no-op, pads the segment to an even length
        }
        return out.toByteArray();
    }

    /** One RLE frame: header with segment offsets, then the segments. */
    public static byte[] rleFrame(List<byte[]> planes) {
        List<byte[]> segments = new ArrayList<>();
        planes.forEach(p -> segments.add(packBits(p)));
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(segments.size());
        int offset = 64;
        for (byte[] s : segments) {
            header.putInt(offset);
            offset += s.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.array());
        segments.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
