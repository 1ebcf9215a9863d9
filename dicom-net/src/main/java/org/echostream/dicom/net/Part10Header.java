package org.echostream.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The preamble and File Meta Information written before a received data set, so that what is spooled is
 * an ordinary Part 10 file (PS3.10 7.1).
 */
public final class Part10Header {

    /** echostream's implementation class UID (a UUID-derived 2.25 UID) and version name. */
    static final String IMPLEMENTATION_CLASS_UID = "2.25.210779532406120290123402683262125367061";
    static final String IMPLEMENTATION_VERSION = "ECHOSTREAM_1";

    private Part10Header() {
    }

    public static byte[] of(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) {
        ByteArrayOutputStream meta = new ByteArrayOutputStream();
        element(meta, 0x0001, "OB", new byte[] {0, 1});
        element(meta, 0x0002, "UI", CommandSet.uidBytes(sopClassUid));
        element(meta, 0x0003, "UI", CommandSet.uidBytes(sopInstanceUid));
        element(meta, 0x0010, "UI", CommandSet.uidBytes(transferSyntaxUid));
        element(meta, 0x0012, "UI", CommandSet.uidBytes(IMPLEMENTATION_CLASS_UID));
        element(meta, 0x0013, "SH", padded(IMPLEMENTATION_VERSION));
        if (sourceAeTitle != null && !sourceAeTitle.isBlank()) {
            element(meta, 0x0016, "AE", padded(sourceAeTitle.trim()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[128]);
        out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        element(out, 0x0000, "UL", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(meta.size()).array());
        out.writeBytes(meta.toByteArray());
        return out.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, String vr, byte[] value) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0x0002).putShort((short) element).put(vr.getBytes(StandardCharsets.US_ASCII));
        if (vr.equals("OB")) {
            b.putShort((short) 0).putInt(value.length);
        } else {
            b.putShort((short) value.length);
        }
        out.write(b.array(), 0, b.position());
        out.writeBytes(value);
    }

    private static byte[] padded(String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        if (b.length % 2 == 1) {
            b = java.util.Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = ' ';
        }
        return b;
    }
}
