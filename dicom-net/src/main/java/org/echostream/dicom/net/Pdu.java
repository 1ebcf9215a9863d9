package org.echostream.dicom.net;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The byte layout every PDU, item and AE title field shares (PS3.8 9.3), written one way for both sides of an association. */
public final class Pdu {

    private Pdu() {
    }

    /** An item or sub-item (PS3.8 9.3.2): type, a reserved byte, a two-byte length, the value. */
    public static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write((value.length >> 8) & 0xFF);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }

    /** An AE title field of an A-ASSOCIATE-RQ/AC: 16 bytes, padded with spaces (longer titles are cut, never sent). */
    public static byte[] aeTitle(String title) {
        return String.format("%-16s", title).substring(0, 16).getBytes(StandardCharsets.US_ASCII);
    }

    /** One PDU (PS3.8 9.3.1): type, a reserved byte, a four-byte length, the body; flushed, since every PDU we send waits for an answer or ends. */
    public static void write(DataOutputStream out, int type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeByte(0);
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }
}
