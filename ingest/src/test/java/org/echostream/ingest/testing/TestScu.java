package org.echostream.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.echostream.ingest.dicom.DicomScanner;

/**
 * A deliberately small DICOM SCU for tests that dcmtk cannot do: send bytes exactly as given (mutated data
 * sets), stop in the middle of a data set, abort. Speaks just enough of PS3.8 to be a fair peer.
 */
public final class TestScu implements AutoCloseable {

    public static final String VERIFICATION = "1.2.840.10008.1.1";

    /** One proposed presentation context. */
    public record Proposal(int id, String abstractSyntax, String transferSyntax) {
    }

    /** A Part 10 file split into what goes on the wire. */
    public record Instance(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, byte[] dataset) {
        public static Instance of(byte[] part10) throws Exception {
            var meta = DicomScanner.meta(ByteBuffer.wrap(part10));
            byte[] dataset = java.util.Arrays.copyOfRange(part10, meta.end(), part10.length);
            return new Instance(meta.sopClassUid(), meta.sopInstanceUid(), meta.transferSyntaxUid(), dataset);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private int messageId = 1;
    public int acceptedResult = -1;

    private TestScu(Socket socket) throws IOException {
        this.socket = socket;
        this.socket.setSoTimeout(60_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** @return the connected SCU, or null (socket closed) when the association was rejected */
    public static TestScu associate(int port, String called, String calling, List<Proposal> proposals) throws IOException {
        TestScu scu = new TestScu(new Socket("127.0.0.1", port));
        scu.out.write(associateRq(called, calling, proposals, new byte[0]));
        scu.out.flush();
        int type = scu.in.readUnsignedByte();
        scu.in.readUnsignedByte();
        byte[] reply = new byte[scu.in.readInt()];
        scu.in.readFully(reply);
        if (type != 2) {
            scu.close();
            return null;
        }
        scu.acceptedResult = contextResult(reply);
        return scu;
    }

    /** A whole A-ASSOCIATE-RQ PDU, with {@code extraItems} (raw, possibly malformed) after the presentation contexts. */
    public static byte[] associateRq(String called, String calling, List<Proposal> proposals, byte[] extraItems) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 1, 0, 0});
        body.writeBytes(ae(called));
        body.writeBytes(ae(calling));
        body.writeBytes(new byte[32]);
        item(body, 0x10, "1.2.840.10008.3.1.1.1".getBytes(StandardCharsets.US_ASCII));
        for (Proposal p : proposals) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.writeBytes(new byte[] {(byte) p.id(), 0, 0, 0});
            item(pc, 0x30, p.abstractSyntax().getBytes(StandardCharsets.US_ASCII));
            item(pc, 0x40, p.transferSyntax().getBytes(StandardCharsets.US_ASCII));
            item(body, 0x20, pc.toByteArray());
        }
        body.writeBytes(extraItems);
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        item(user, 0x52, "1.2.3.4.5".getBytes(StandardCharsets.US_ASCII));
        item(body, 0x50, user.toByteArray());
        byte[] b = body.toByteArray();
        return ByteBuffer.allocate(6 + b.length).put((byte) 1).put((byte) 0).putInt(b.length).put(b).array();
    }

    /** Sends a whole C-STORE in PDVs of at most 16 KiB and returns the response status. */
    public int store(int contextId, Instance instance) throws IOException {
        sendCommand(contextId, instance);
        sendData(contextId, instance.dataset(), instance.dataset().length, true);
        return readStatus();
    }

    /** Sends the command and the first {@code bytes} bytes of the data set, not marked last. */
    public void storePartially(int contextId, Instance instance, int bytes) throws IOException {
        sendCommand(contextId, instance);
        sendData(contextId, instance.dataset(), bytes, false);
    }

    /** The association is up (a release succeeds), without storing anything. */
    public boolean echoOrStoreNothing() throws IOException {
        release();
        return true;
    }

    public int echo(int contextId) throws IOException {
        byte[] command = command(0x0030, VERIFICATION, null, true);
        pdv(contextId, 0x03, command, 0, command.length);
        return readStatus();
    }

    public void abort() throws IOException {
        pdu(7, new byte[] {0, 0, 0, 0});
        socket.close();
    }

    public void release() throws IOException {
        pdu(5, new byte[4]);
        int type = in.readUnsignedByte();
        if (type != 6) {
            throw new IOException("expected A-RELEASE-RP, got PDU type " + type);
        }
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void sendCommand(int contextId, Instance instance) throws IOException {
        byte[] command = command(0x0001, instance.sopClassUid(), instance.sopInstanceUid(), false);
        pdv(contextId, 0x03, command, 0, command.length);
    }

    private void sendData(int contextId, byte[] data, int length, boolean last) throws IOException {
        int chunk = 16384 - 6;
        for (int off = 0; off < length; off += chunk) {
            int n = Math.min(chunk, length - off);
            boolean end = off + n >= length;
            pdv(contextId, end && last ? 0x02 : 0x00, data, off, n);
        }
    }

    private int readStatus() throws IOException {
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        if (type != 4) {
            throw new IOException("expected P-DATA-TF with the response, got PDU type " + type);
        }
        ByteBuffer b = ByteBuffer.wrap(body, 6, body.length - 6).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 8) {
            int group = b.getShort() & 0xFFFF;
            int element = b.getShort() & 0xFFFF;
            int length = b.getInt();
            if (group == 0 && element == 0x0900) {
                return b.getShort() & 0xFFFF;
            }
            b.position(b.position() + length);
        }
        throw new IOException("response without a status");
    }

    private byte[] command(int field, String sopClass, String sopInstance, boolean noDataSet) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        element(body, 0x0002, uid(sopClass));
        element(body, 0x0100, us(field));
        element(body, 0x0110, us(messageId++));
        if (field == 0x0001) {
            element(body, 0x0700, us(0));
        }
        element(body, 0x0800, us(noDataSet ? 0x0101 : 0x0000));
        if (sopInstance != null) {
            element(body, 0x1000, uid(sopInstance));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private void pdv(int contextId, int header, byte[] data, int off, int length) throws IOException {
        out.writeByte(4);
        out.writeByte(0);
        out.writeInt(6 + length);
        out.writeInt(2 + length);
        out.writeByte(contextId);
        out.writeByte(header);
        out.write(data, off, length);
        out.flush();
    }

    private void pdu(int type, byte[] body) throws IOException {
        out.writeByte(type);
        out.writeByte(0);
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static int contextResult(byte[] ac) {
        int pos = 68;
        while (pos + 4 <= ac.length) {
            int type = ac[pos] & 0xFF;
            int length = ((ac[pos + 2] & 0xFF) << 8) | (ac[pos + 3] & 0xFF);
            if (type == 0x21) {
                return ac[pos + 6] & 0xFF;
            }
            pos += 4 + length;
        }
        return -1;
    }

    private static void element(ByteArrayOutputStream out, int element, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) element)
                .putInt(value.length).array());
        out.writeBytes(value);
    }

    private static byte[] us(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    private static byte[] uid(String uid) {
        byte[] b = uid.getBytes(StandardCharsets.US_ASCII);
        return b.length % 2 == 0 ? b : java.util.Arrays.copyOf(b, b.length + 1);
    }

    private static byte[] ae(String title) {
        return String.format("%-16s", title).getBytes(StandardCharsets.US_ASCII);
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write((value.length >> 8) & 0xFF);
        out.write(value.length & 0xFF);
        out.writeBytes(value);
    }
}
