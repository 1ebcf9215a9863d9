package org.echostream.ingest.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.echostream.dicom.net.CommandSet;
import org.echostream.dicom.net.Pdu;
import org.echostream.dicom.net.Uid;
import org.echostream.ingest.dicom.DicomScanner;

/**
 * A deliberately small DICOM SCU for tests that dcmtk cannot do: send bytes exactly as given (mutated data
 * sets), stop in the middle of a data set, abort. Speaks just enough of PS3.8 to be a fair peer; its PDUs, items
 * and command sets are dicom-net's, only the misbehaviour is its own.
 */
public final class TestScu implements AutoCloseable {

    public static final String VERIFICATION = Uid.VERIFICATION.value();

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
        body.writeBytes(Pdu.aeTitle(called));
        body.writeBytes(Pdu.aeTitle(calling));
        body.writeBytes(new byte[32]);
        Pdu.item(body, 0x10, Uid.APPLICATION_CONTEXT.value().getBytes(StandardCharsets.US_ASCII));
        for (Proposal p : proposals) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.writeBytes(new byte[] {(byte) p.id(), 0, 0, 0});
            Pdu.item(pc, 0x30, p.abstractSyntax().getBytes(StandardCharsets.US_ASCII));
            Pdu.item(pc, 0x40, p.transferSyntax().getBytes(StandardCharsets.US_ASCII));
            Pdu.item(body, 0x20, pc.toByteArray());
        }
        body.writeBytes(extraItems);
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        Pdu.item(user, 0x51, ByteBuffer.allocate(4).putInt(16384).array());
        Pdu.item(user, 0x52, "1.2.3.4.5".getBytes(StandardCharsets.US_ASCII));
        Pdu.item(body, 0x50, user.toByteArray());
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
        byte[] command = CommandSet.echoRequest(messageId++);
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
        byte[] command = CommandSet.storeRequest(instance.sopClassUid(), messageId++, instance.sopInstanceUid());
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
        Integer status = CommandSet.parse(java.util.Arrays.copyOfRange(body, 6, body.length)).us(CommandSet.STATUS);
        if (status == null) {
            throw new IOException("response without a status");
        }
        return status;
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
        Pdu.write(out, type, body);
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
}
