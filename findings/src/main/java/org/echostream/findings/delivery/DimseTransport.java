package org.echostream.findings.delivery;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.echostream.findings.dicom.EncodedDocument;

/**
 * A C-STORE SCU (PS3.7 9.1.1, PS3.8 upper layer) for the few documents of one study: one association, one
 * presentation context per SOP class proposing Explicit and Implicit VR Little Endian, one C-STORE per document,
 * then release. Written here rather than taken from PixelMed for two things a delivery needs: socket time-outs
 * (a hung PACS must not hang the service) and the exact DIMSE status of each store (out-of-resources is worth a
 * retry, a refusal is not).
 */
public final class DimseTransport implements Transport {

    /**
     * @param maxPduLength largest PDU we accept (announced to the peer)
     */
    public record Settings(String host, int port, String calledAeTitle, String callingAeTitle, Duration connectTimeout,
                           Duration responseTimeout, int maxPduLength) {
        public Settings {
            checkAe(calledAeTitle, "called");
            checkAe(callingAeTitle, "calling");
        }

        private static void checkAe(String ae, String which) {
            if (ae == null || ae.isBlank() || ae.length() > 16 || ae.contains("\\") || !StandardCharsets.US_ASCII.newEncoder().canEncode(ae)) {
                throw new IllegalArgumentException(which + " AE title '" + ae + "' must be 1 to 16 ASCII characters without backslash");
            }
        }
    }

    private static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    /** echostream's implementation class UID (a fixed 2.25 UUID) and version name, sent in every association request. */
    private static final String IMPLEMENTATION_CLASS_UID = "2.25.243190398839364862516101468530245542165";
    private static final String IMPLEMENTATION_VERSION = "ECHOSTREAM_1";
    private static final int C_STORE_RQ = 0x0001;
    private static final int C_STORE_RSP = 0x8001;

    private final Settings settings;

    public DimseTransport(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String kind() {
        return "DIMSE";
    }

    @Override
    public String describe() {
        return settings.calledAeTitle() + "@" + settings.host() + ":" + settings.port();
    }

    @Override
    public SendOutcome send(String studyInstanceUid, List<EncodedDocument> documents) {
        try (Socket socket = new Socket()) {
            // Every PDU we write waits for an answer: Nagle's algorithm against the peer's delayed ACKs would add
            // tens of milliseconds per exchange (dcmtk turns it off too).
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(settings.host(), settings.port()), millis(settings.connectTimeout()));
            socket.setSoTimeout(millis(settings.responseTimeout()));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            Map<String, Integer> contextOf = new LinkedHashMap<>();
            for (EncodedDocument d : documents) {
                contextOf.putIfAbsent(d.sopClassUid(), 2 * contextOf.size() + 1);
            }
            writePdu(out, 0x01, associateRequest(contextOf));
            out.flush(); // the request must leave the buffer before we wait for the answer
            Pdu reply = readPdu(in);
            if (reply.type() == 0x03) {
                return rejected(reply.body());
            }
            if (reply.type() != 0x02) {
                return new SendOutcome.Transient("ASSOCIATION_ABORTED", describe() + " answered the association request with PDU type " + reply.type());
            }
            Accepted accepted = accepted(reply.body());
            int messageId = 1;
            for (EncodedDocument d : documents) {
                int context = contextOf.get(d.sopClassUid());
                String syntax = accepted.transferSyntaxOf().get(context);
                if (syntax == null) {
                    abort(out);
                    return new SendOutcome.Refused("SOP_CLASS_NOT_ACCEPTED", describe() + " does not accept " + name(d.sopClassUid())
                            + " (SOP class " + d.sopClassUid() + ") in Explicit or Implicit VR Little Endian: configure the PACS to store it");
                }
                int peerMax = accepted.peerMaxPduLength();
                writePData(out, context, true, storeRequest(d, messageId), peerMax);
                writePData(out, context, false, d.dataSet(syntax), peerMax);
                out.flush();
                int status = readStatus(in);
                SendOutcome refused = judge(status, d);
                if (refused != null) {
                    release(in, out);
                    return refused;
                }
                messageId++;
            }
            release(in, out);
            return new SendOutcome.Stored(documents.size() + " documents stored at " + describe());
        } catch (ConnectException e) {
            return new SendOutcome.Transient("CONNECTION_FAILED", describe() + ": cannot connect (" + e.getMessage() + ")");
        } catch (SocketTimeoutException e) {
            return new SendOutcome.Transient("TIMEOUT", describe() + ": no answer within " + settings.responseTimeout().toSeconds()
                    + " s (or no connection within " + settings.connectTimeout().toSeconds() + " s)");
        } catch (PeerAbort e) {
            return new SendOutcome.Transient("ASSOCIATION_ABORTED", describe() + ": " + e.getMessage());
        } catch (IOException e) {
            return new SendOutcome.Transient("CONNECTION_LOST", describe() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Success and the warnings that still store the object; null means stored. */
    private SendOutcome judge(int status, EncodedDocument d) {
        String what = describe() + " answered C-STORE of " + name(d.sopClassUid()) + " " + d.sopInstanceUid() + " with status "
                + String.format(Locale.ROOT, "0x%04X", status);
        if (status == 0x0000 || status == 0xB000 || status == 0xB006 || status == 0xB007 || status == 0x0107 || status == 0x0116) {
            return null;
        }
        if ((status & 0xFF00) == 0xA700) {
            return new SendOutcome.Transient("OUT_OF_RESOURCES", what + " (out of resources)");
        }
        return new SendOutcome.Refused("STORE_REFUSED", what + ((status & 0xFF00) == 0xA900 ? " (data set does not match SOP class)"
                : (status & 0xF000) == 0xC000 ? " (cannot understand)" : ""));
    }

    private SendOutcome rejected(byte[] body) {
        int result = body.length > 1 ? body[1] & 0xff : 0;
        int source = body.length > 2 ? body[2] & 0xff : 0;
        int reason = body.length > 3 ? body[3] & 0xff : 0;
        String detail = describe() + " rejected the association (result " + result + ", source " + source + ", reason " + reason
                + rejectReason(source, reason) + ")";
        // result 1 is permanent (e.g. unknown calling AE title: a configuration to fix), 2 transient (busy)
        return result == 2 ? new SendOutcome.Transient("ASSOCIATION_REJECTED", detail)
                : new SendOutcome.Refused("ASSOCIATION_REJECTED", detail + ": check the called and calling AE titles at both ends");
    }

    private static String rejectReason(int source, int reason) {
        if (source == 1) {
            return switch (reason) {
                case 3 -> ": calling AE title " + "not recognised";
                case 7 -> ": called AE title not recognised";
                case 2 -> ": application context not supported";
                default -> "";
            };
        }
        return source == 3 && reason == 2 ? ": local limit exceeded" : "";
    }

    private byte[] associateRequest(Map<String, Integer> contextOf) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(512);
        b.write(0x00);
        b.write(0x01); // protocol version 1
        b.write(0x00);
        b.write(0x00);
        b.writeBytes(ae(settings.calledAeTitle()));
        b.writeBytes(ae(settings.callingAeTitle()));
        b.writeBytes(new byte[32]);
        item(b, 0x10, ascii(APPLICATION_CONTEXT));
        for (var entry : contextOf.entrySet()) {
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.write(entry.getValue());
            pc.writeBytes(new byte[3]);
            item(pc, 0x30, ascii(entry.getKey()));
            item(pc, 0x40, ascii(EncodedDocument.EXPLICIT_VR_LITTLE_ENDIAN));
            item(pc, 0x40, ascii(EncodedDocument.IMPLICIT_VR_LITTLE_ENDIAN));
            item(b, 0x20, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        item(user, 0x51, ByteBuffer.allocate(4).putInt(settings.maxPduLength()).array());
        item(user, 0x52, ascii(IMPLEMENTATION_CLASS_UID));
        item(user, 0x55, ascii(IMPLEMENTATION_VERSION));
        item(b, 0x50, user.toByteArray());
        return b.toByteArray();
    }

    private record Accepted(Map<Integer, String> transferSyntaxOf, int peerMaxPduLength) {
    }

    private static Accepted accepted(byte[] body) throws IOException {
        Map<Integer, String> syntaxOf = new HashMap<>();
        int peerMax = 0;
        ByteBuffer b = ByteBuffer.wrap(body);
        b.position(68); // version, reserved, AE titles, reserved
        while (b.remaining() >= 4) {
            int type = b.get() & 0xff;
            b.get();
            int length = b.getShort() & 0xffff;
            if (length > b.remaining()) {
                throw new IOException("A-ASSOCIATE-AC item 0x" + Integer.toHexString(type) + " claims " + length + " bytes, " + b.remaining() + " left");
            }
            ByteBuffer item = b.slice(b.position(), length);
            b.position(b.position() + length);
            if (type == 0x21 && length >= 4) {
                int id = item.get(0) & 0xff;
                int result = item.get(2) & 0xff;
                item.position(4);
                String syntax = null;
                while (item.remaining() >= 4) {
                    int subType = item.get() & 0xff;
                    item.get();
                    int subLength = item.getShort() & 0xffff;
                    byte[] value = new byte[Math.min(subLength, item.remaining())];
                    item.get(value);
                    if (subType == 0x40) {
                        syntax = new String(value, StandardCharsets.US_ASCII).trim().replace("\0", "");
                    }
                }
                if (result == 0 && syntax != null) {
                    syntaxOf.put(id, syntax);
                }
            } else if (type == 0x50) {
                while (item.remaining() >= 4) {
                    int subType = item.get() & 0xff;
                    item.get();
                    int subLength = item.getShort() & 0xffff;
                    if (subType == 0x51 && subLength == 4 && item.remaining() >= 4) {
                        peerMax = item.getInt();
                    } else {
                        item.position(Math.min(item.limit(), item.position() + subLength));
                    }
                }
            }
        }
        return new Accepted(syntaxOf, peerMax);
    }

    /** C-STORE-RQ command set, Implicit VR Little Endian as every command is (PS3.7 6.3.1). */
    private static byte[] storeRequest(EncodedDocument d, int messageId) {
        ByteArrayOutputStream elements = new ByteArrayOutputStream(256);
        element(elements, 0x0002, uid(d.sopClassUid()));
        element(elements, 0x0100, us(C_STORE_RQ));
        element(elements, 0x0110, us(messageId));
        element(elements, 0x0700, us(0x0000)); // medium priority
        element(elements, 0x0800, us(0x0000)); // a data set follows
        element(elements, 0x1000, uid(d.sopInstanceUid()));
        ByteArrayOutputStream command = new ByteArrayOutputStream(elements.size() + 12);
        element(command, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(elements.size()).array());
        command.writeBytes(elements.toByteArray());
        return command.toByteArray();
    }

    /** Reads P-DATA until the last fragment of a command, and returns the C-STORE-RSP's Status. */
    private static int readStatus(DataInputStream in) throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        while (true) {
            Pdu pdu = readPdu(in);
            if (pdu.type() == 0x07) {
                throw new PeerAbort("the peer aborted the association while we waited for a C-STORE response");
            }
            if (pdu.type() != 0x04) {
                throw new IOException("expected P-DATA with a C-STORE response, got PDU type " + pdu.type());
            }
            ByteBuffer b = ByteBuffer.wrap(pdu.body());
            while (b.remaining() >= 6) {
                int length = b.getInt();
                if (length < 2 || length > b.remaining()) {
                    throw new IOException("PDV item of " + length + " bytes in a P-DATA PDU with " + b.remaining() + " left");
                }
                b.get(); // presentation context
                int header = b.get() & 0xff;
                byte[] data = new byte[length - 2];
                b.get(data);
                if ((header & 0x01) == 0) {
                    throw new IOException("the peer sent a data set where a C-STORE response command was expected");
                }
                command.writeBytes(data);
                if ((header & 0x02) != 0) {
                    return status(command.toByteArray());
                }
            }
        }
    }

    private static int status(byte[] command) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(command).order(ByteOrder.LITTLE_ENDIAN);
        Integer field = null;
        Integer status = null;
        while (b.remaining() >= 8) {
            int group = b.getShort() & 0xffff;
            int element = b.getShort() & 0xffff;
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw new IOException("command element (" + group + "," + element + ") claims " + length + " bytes");
            }
            if (group == 0 && element == 0x0100 && length == 2) {
                field = b.getShort(b.position()) & 0xffff;
            } else if (group == 0 && element == 0x0900 && length == 2) {
                status = b.getShort(b.position()) & 0xffff;
            }
            b.position(b.position() + length);
        }
        if (field == null || field != C_STORE_RSP || status == null) {
            throw new IOException("the peer's answer is not a C-STORE response with a status (command field " + field + ")");
        }
        return status;
    }

    private static void writePData(OutputStream out, int context, boolean command, byte[] data, int peerMax) throws IOException {
        // A PDV's data is at most the peer's maximum PDU length less the PDV item's 6 header bytes; 0 means no limit.
        int chunk = peerMax <= 6 ? Math.max(data.length, 1) : peerMax - 6;
        int offset = 0;
        do {
            int length = Math.min(chunk, data.length - offset);
            boolean last = offset + length >= data.length;
            ByteBuffer pdv = ByteBuffer.allocate(6 + length);
            pdv.putInt(length + 2).put((byte) context).put((byte) ((command ? 0x01 : 0x00) | (last ? 0x02 : 0x00)));
            pdv.put(data, offset, length);
            writePdu(out, 0x04, pdv.array());
            offset += length;
        } while (offset < data.length);
    }

    private static void release(DataInputStream in, OutputStream out) {
        try {
            writePdu(out, 0x05, new byte[4]);
            out.flush();
            readPdu(in); // A-RELEASE-RP; what the peer does now no longer matters
        } catch (IOException e) {
            // every store was already answered
        }
    }

    private static void abort(OutputStream out) {
        try {
            writePdu(out, 0x07, new byte[4]);
            out.flush();
        } catch (IOException e) {
            // the outcome is already decided; the socket closes either way
        }
    }

    private record Pdu(int type, byte[] body) {
    }

    /** Bounds what one PDU may make us allocate: responses and association answers are small. */
    private static final int MAX_INCOMING_PDU = 1 << 20;

    private static Pdu readPdu(DataInputStream in) throws IOException {
        int type;
        try {
            type = in.readUnsignedByte();
        } catch (EOFException e) {
            throw new IOException("the peer closed the connection", e);
        }
        in.readUnsignedByte();
        long length = in.readInt() & 0xffffffffL;
        if (length > MAX_INCOMING_PDU) {
            throw new IOException("the peer sent a PDU of " + length + " bytes (type " + type + "), more than " + MAX_INCOMING_PDU + " allowed here");
        }
        byte[] body = new byte[(int) length];
        in.readFully(body);
        return new Pdu(type, body);
    }

    private static void writePdu(OutputStream out, int type, byte[] body) throws IOException {
        out.write(type);
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(body.length).array());
        out.write(body);
    }

    private static void item(ByteArrayOutputStream b, int type, byte[] value) {
        b.write(type);
        b.write(0);
        b.write((value.length >> 8) & 0xff);
        b.write(value.length & 0xff);
        b.writeBytes(value);
    }

    private static void element(ByteArrayOutputStream b, int element, byte[] value) {
        b.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) element).putInt(value.length).array());
        b.writeBytes(value);
    }

    private static byte[] us(int value) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array();
    }

    /** UIDs in data elements are padded to an even length with one NUL. */
    private static byte[] uid(String uid) {
        byte[] bytes = ascii(uid);
        return bytes.length % 2 == 0 ? bytes : java.util.Arrays.copyOf(bytes, bytes.length + 1);
    }

    private static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] ae(String title) {
        return String.format(Locale.ROOT, "%-16s", title).getBytes(StandardCharsets.US_ASCII);
    }

    private static String name(String sopClassUid) {
        return switch (sopClassUid) {
            case "1.2.840.10008.5.1.4.1.1.88.33" -> "Comprehensive SR";
            case "1.2.840.10008.5.1.4.1.1.88.59" -> "Key Object Selection";
            default -> "SOP class";
        };
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** The peer sent A-ABORT. */
    private static final class PeerAbort extends IOException {
        private static final long serialVersionUID = 1L;

        PeerAbort(String message) {
            super(message);
        }
    }
}
