package org.echostream.dicom.net;

import static org.echostream.dicom.net.PduType.A_ASSOCIATE_RQ;
import static org.echostream.dicom.net.PduType.A_ASSOCIATE_AC;
import static org.echostream.dicom.net.PduType.A_ASSOCIATE_RJ;
import static org.echostream.dicom.net.PduType.P_DATA_TF;
import static org.echostream.dicom.net.PduType.A_RELEASE_RQ;
import static org.echostream.dicom.net.PduType.A_RELEASE_RP;
import static org.echostream.dicom.net.PduType.A_ABORT;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * One DICOM association on the requesting side (PS3.8), for query/retrieve: negotiation, request command sets with
 * their identifiers, responses read back (and, for C-GET, the C-STORE sub-operations the peer sends on the same
 * association), release. Like the SCP, every length read from the peer is checked against its PDU and our limits
 * before it sizes anything; a data set that does not fit in memory is streamed to where the caller says.
 */
public final class ScuAssociation implements AutoCloseable {

    private static final int MAX_ACCEPT_PDU = 64 * 1024;
    private static final int MAX_COMMAND_BYTES = 64 * 1024;
    /** Query answers and retrieve identifiers are a few hundred bytes; more than this is not an identifier. */
    private static final int MAX_BUFFERED_DATASET = 4 * 1024 * 1024;
    private static final int CHUNK = 64 * 1024;

    /** Who we talk to and as whom. */
    public record Peer(String host, int port, String calledAeTitle, String callingAeTitle) {
    }

    /**
     * One presentation context we propose.
     *
     * @param scpRole whether we also act as its SCP (C-GET: the peer sends C-STOREs to us on this association)
     */
    public record Proposal(String abstractSyntax, List<String> transferSyntaxes, boolean scpRole) {
    }

    /** The peer refused the association (PS3.8 9.3.4): result, source and reason as the peer sent them. */
    public static final class RejectedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int result;
        private final int source;
        private final int reason;

        public RejectedException(String message, int result, int source, int reason) {
            super(message);
            this.result = result;
            this.source = source;
            this.reason = reason;
        }

        /** Rejected-permanent (our AE title unknown, say) rather than transient (too many associations now). */
        public boolean permanent() {
            return result == 1;
        }

        public int result() {
            return result;
        }

        public int source() {
            return source;
        }

        public int reason() {
            return reason;
        }

        /** The standard's words for the source and reason (PS3.8 Table 9-21), or "" for those without. */
        public String reasonText() {
            if (source == 1) {
                return switch (reason) {
                    case 2 -> "application context not supported";
                    case 3 -> "calling AE title not recognised";
                    case 7 -> "called AE title not recognised";
                    default -> "";
                };
            }
            if (source == 3) {
                return switch (reason) {
                    case 1 -> "temporary congestion";
                    case 2 -> "local limit exceeded";
                    default -> "";
                };
            }
            return "";
        }
    }

    /** The peer sent an A-ABORT (PS3.8 9.3.8), during negotiation or while we waited for an answer. */
    public static final class AbortedException extends IOException {
        private static final long serialVersionUID = 1L;

        public AbortedException(String message) {
            super(message);
        }
    }

    /** Where the data set of an incoming message goes; null: keep it in memory (bounded). */
    @FunctionalInterface
    public interface DatasetTarget {
        OutputStream open(int contextId, CommandView command) throws IOException;
    }

    /** The fields of a received command set callers need. */
    public static final class CommandView {
        private final CommandSet command;

        CommandView(CommandSet command) {
            this.command = command;
        }

        public Integer commandField() {
            return command.us(CommandSet.COMMAND_FIELD);
        }

        public Integer status() {
            return command.us(CommandSet.STATUS);
        }

        public int messageId() {
            Integer id = command.us(CommandSet.MESSAGE_ID);
            return id == null ? 0 : id;
        }

        public Integer messageIdRespondedTo() {
            return command.us(CommandSet.MESSAGE_ID_RESPONDED_TO);
        }

        public String affectedSopClassUid() {
            return command.uid(CommandSet.AFFECTED_SOP_CLASS_UID);
        }

        public String affectedSopInstanceUid() {
            return command.uid(CommandSet.AFFECTED_SOP_INSTANCE_UID);
        }

        public String errorComment() {
            return command.uid(CommandSet.ERROR_COMMENT);
        }

        /** (0000,1020..1023) remaining, completed, failed, warning sub-operations of a C-MOVE/C-GET response; null when absent. */
        public Integer remaining() {
            return command.us(CommandSet.REMAINING_SUBOPERATIONS);
        }

        public Integer completed() {
            return command.us(CommandSet.COMPLETED_SUBOPERATIONS);
        }

        public Integer failed() {
            return command.us(CommandSet.FAILED_SUBOPERATIONS);
        }

        public Integer warning() {
            return command.us(CommandSet.WARNING_SUBOPERATIONS);
        }

        public boolean hasDataSet() {
            return command.hasDataSet();
        }
    }

    /**
     * A complete incoming message.
     *
     * @param dataset the data set when it was kept in memory, else null (streamed, or none)
     */
    public record Message(int contextId, CommandView command, byte[] dataset) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Map<Integer, String> abstractSyntaxes = new HashMap<>();
    private final Map<Integer, String> transferSyntaxes = new HashMap<>();
    private final Peer peer;
    private int peerMaxPdu;
    private int nextMessageId = 1;
    private final byte[] chunk = new byte[CHUNK];
    private boolean open;

    private ScuAssociation(Socket socket, Peer peer) throws IOException {
        this.socket = socket;
        this.peer = peer;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), CHUNK));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), CHUNK));
    }

    /**
     * Connects and negotiates.
     *
     * @param readTimeout longest silence of the peer while we wait for an answer (a C-MOVE's final response can take long;
     *                    pending responses keep it alive)
     * @throws RejectedException when the peer rejects the association
     * @throws IOException       when it cannot be reached or breaks the protocol
     */
    public static ScuAssociation open(Peer peer, List<Proposal> proposals, Duration connectTimeout, Duration readTimeout, int maxPduLength)
            throws IOException {
        return open(peer, proposals, connectTimeout, readTimeout, maxPduLength, SocketFactory.getDefault());
    }

    /**
     * Connects through {@code sockets} (a TLS socket factory for DICOM TLS) and negotiates.
     *
     * @see #open(Peer, List, Duration, Duration, int)
     */
    public static ScuAssociation open(Peer peer, List<Proposal> proposals, Duration connectTimeout, Duration readTimeout, int maxPduLength,
                                      SocketFactory sockets) throws IOException {
        if (proposals.isEmpty() || proposals.size() > 127) {
            throw new IllegalArgumentException("1 to 127 presentation contexts, got " + proposals.size());
        }
        Socket socket = sockets.createSocket();
        try {
            socket.connect(new InetSocketAddress(peer.host(), peer.port()), (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            // every PDU we write waits for an answer: Nagle's algorithm against the peer's delayed ACKs would add tens of
            // milliseconds per exchange (dcmtk turns it off too)
            socket.setTcpNoDelay(true);
            if (socket instanceof SSLSocket tls) {
                tls.startHandshake(); // a refused certificate fails here, named, rather than at the first read
            }
            ScuAssociation a = new ScuAssociation(socket, peer);
            a.negotiate(proposals, maxPduLength);
            return a;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void negotiate(List<Proposal> proposals, int maxPduLength) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 1, 0, 0});
        body.writeBytes(Pdu.aeTitle(peer.calledAeTitle()));
        body.writeBytes(Pdu.aeTitle(peer.callingAeTitle()));
        body.writeBytes(new byte[32]);
        Pdu.item(body, 0x10, Uid.APPLICATION_CONTEXT.value().getBytes(StandardCharsets.US_ASCII));
        Map<Integer, Proposal> byId = new HashMap<>();
        for (int i = 0; i < proposals.size(); i++) {
            int id = 2 * i + 1;
            Proposal p = proposals.get(i);
            byId.put(id, p);
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.writeBytes(new byte[] {(byte) id, 0, 0, 0});
            Pdu.item(pc, 0x30, p.abstractSyntax().getBytes(StandardCharsets.US_ASCII));
            for (String ts : p.transferSyntaxes()) {
                Pdu.item(pc, 0x40, ts.getBytes(StandardCharsets.US_ASCII));
            }
            Pdu.item(body, 0x20, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        Pdu.item(user, 0x51, ByteBuffer.allocate(4).putInt(maxPduLength).array());
        Pdu.item(user, 0x52, Part10Header.IMPLEMENTATION_CLASS_UID.getBytes(StandardCharsets.US_ASCII));
        java.util.Set<String> roled = new java.util.HashSet<>();
        for (Proposal p : proposals) {
            // one role selection per SOP class (PS3.7 D.3.3.4), however many contexts propose it
            if (p.scpRole() && roled.add(p.abstractSyntax())) {
                byte[] uid = p.abstractSyntax().getBytes(StandardCharsets.US_ASCII);
                ByteBuffer role = ByteBuffer.allocate(4 + uid.length).putShort((short) uid.length).put(uid).put((byte) 0).put((byte) 1);
                Pdu.item(user, 0x54, role.array()); // SCU role no, SCP role yes (PS3.7 D.3.3.4)
            }
        }
        Pdu.item(user, 0x55, Part10Header.IMPLEMENTATION_VERSION.getBytes(StandardCharsets.US_ASCII));
        Pdu.item(body, 0x50, user.toByteArray());
        pdu(A_ASSOCIATE_RQ, body.toByteArray());

        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        long length = in.readInt() & 0xFFFFFFFFL;
        if (type == A_ASSOCIATE_RJ && length == 4) {
            byte[] rj = new byte[4];
            in.readFully(rj);
            throw new RejectedException(String.format("%s at %s:%d rejected the association from %s (%s, source %d, reason %d)",
                    peer.calledAeTitle(), peer.host(), peer.port(), peer.callingAeTitle(), rj[1] == 1 ? "permanent" : "transient", rj[2], rj[3]),
                    rj[1] & 0xFF, rj[2] & 0xFF, rj[3] & 0xFF);
        }
        if (type == A_ABORT) {
            throw new AbortedException(peer.calledAeTitle() + " aborted the association request");
        }
        if (type != A_ASSOCIATE_AC || length < 68 || length > MAX_ACCEPT_PDU) {
            throw new IOException("expected A-ASSOCIATE-AC from " + peer.calledAeTitle() + ", got PDU type " + type + " of " + length + " bytes");
        }
        byte[] ac = new byte[(int) length];
        in.readFully(ac);
        ByteBuffer b = ByteBuffer.wrap(ac);
        b.position(68);
        peerMaxPdu = 16384;
        while (b.remaining() >= 4) {
            int itemType = b.get() & 0xFF;
            b.get();
            int itemLength = b.getShort() & 0xFFFF;
            if (itemLength > b.remaining()) {
                throw new IOException("A-ASSOCIATE-AC item 0x" + Integer.toHexString(itemType) + " runs past its PDU");
            }
            ByteBuffer item = b.slice(b.position(), itemLength);
            b.position(b.position() + itemLength);
            if (itemType == 0x21 && itemLength >= 4) {
                int id = item.get(0) & 0xFF;
                int result = item.get(2) & 0xFF;
                String ts = subItem(item, 4, 0x40);
                Proposal p = byId.get(id);
                if (result == 0 && p != null && ts != null) {
                    abstractSyntaxes.put(id, p.abstractSyntax());
                    transferSyntaxes.put(id, ts);
                }
            } else if (itemType == 0x50) {
                readUserInformation(item);
            }
        }
        open = true;
    }

    private void readUserInformation(ByteBuffer user) {
        int pos = 0;
        while (pos + 4 <= user.limit()) {
            int type = user.get(pos) & 0xFF;
            int length = user.getShort(pos + 2) & 0xFFFF;
            if (pos + 4 + length > user.limit()) {
                return;
            }
            if (type == 0x51 && length == 4) {
                long max = user.getInt(pos + 4) & 0xFFFFFFFFL;
                // 0 means "no limit"; we still cut our PDUs to a size every peer takes
                peerMaxPdu = max == 0 || max > CHUNK * 4 ? CHUNK * 4 : (int) Math.max(max, 1024);
            }
            pos += 4 + length;
        }
    }

    /** The accepted presentation context for this abstract syntax, or -1. */
    public int contextFor(String abstractSyntax) {
        return abstractSyntaxes.entrySet().stream().filter(e -> e.getValue().equals(abstractSyntax)).mapToInt(Map.Entry::getKey)
                .min().orElse(-1);
    }

    public String transferSyntaxOf(int contextId) {
        return transferSyntaxes.get(contextId);
    }

    public String abstractSyntaxOf(int contextId) {
        return abstractSyntaxes.get(contextId);
    }

    public Peer peer() {
        return peer;
    }

    public int nextMessageId() {
        int id = nextMessageId;
        nextMessageId = nextMessageId == 0xFFFF ? 1 : nextMessageId + 1;
        return id;
    }

    /** Sends a C-FIND, C-MOVE or C-GET request with its identifier. */
    public void request(int contextId, int commandField, int messageId, String moveDestination, byte[] identifier) throws IOException {
        byte[] command = CommandSet.request(commandField, abstractSyntaxes.get(contextId), messageId, moveDestination);
        send(contextId, command, true);
        send(contextId, identifier, false);
    }

    public static int cFind() {
        return CommandSet.C_FIND_RQ;
    }

    public static int cMove() {
        return CommandSet.C_MOVE_RQ;
    }

    public static int cGet() {
        return CommandSet.C_GET_RQ;
    }

    /**
     * One C-STORE (PS3.7 9.1.1): the request, its data set (already encoded in the context's transfer syntax), then the
     * response, whose status the caller judges.
     *
     * @throws IOException when the peer answers anything but this request's C-STORE-RSP, aborts or goes silent
     */
    public CommandView store(int contextId, String sopInstanceUid, byte[] dataset) throws IOException {
        int messageId = nextMessageId();
        send(contextId, CommandSet.storeRequest(abstractSyntaxes.get(contextId), messageId, sopInstanceUid), true);
        send(contextId, dataset, false);
        return response(CommandSet.C_STORE_RQ, messageId);
    }

    /** One C-ECHO (PS3.7 9.1.5) on the Verification context; returns its response. */
    public CommandView echo() throws IOException {
        int contextId = contextFor(Uid.VERIFICATION.value());
        if (contextId < 0) {
            throw new IOException(peer.calledAeTitle() + " did not accept the Verification SOP class");
        }
        int messageId = nextMessageId();
        send(contextId, CommandSet.echoRequest(messageId), true);
        return response(CommandSet.C_ECHO_RQ, messageId);
    }

    private CommandView response(int requestField, int messageId) throws IOException {
        Message m = receive((c, command) -> null);
        Integer field = m.command().commandField();
        Integer respondedTo = m.command().messageIdRespondedTo();
        if (field == null || field != (requestField | CommandSet.RESPONSE_BIT) || respondedTo == null || respondedTo != messageId) {
            throw protocol(String.format("expected the response (0x%04X) to message %d, got command field %s for message %s",
                    requestField | CommandSet.RESPONSE_BIT, messageId, field == null ? "none" : String.format("0x%04X", field), respondedTo));
        }
        return m.command();
    }

    /** Asks the peer to stop the request with this message id (its final response still comes). */
    public void cancel(int contextId, int messageId) throws IOException {
        send(contextId, CommandSet.cancel(messageId), true);
    }

    /** Answers a C-STORE the peer sent on this association (a C-GET sub-operation). */
    public void respondToStore(int contextId, CommandView store, StoreStatus status) throws IOException {
        byte[] command = CommandSet.response(CommandSet.C_STORE_RQ | CommandSet.RESPONSE_BIT, store.affectedSopClassUid(), store.messageId(), status,
                store.affectedSopInstanceUid());
        send(contextId, command, true);
    }

    private void send(int contextId, byte[] bytes, boolean command) throws IOException {
        int max = peerMaxPdu - 6;
        int off = 0;
        do {
            int n = Math.min(max, bytes.length - off);
            boolean last = off + n >= bytes.length;
            out.writeByte(P_DATA_TF);
            out.writeByte(0);
            out.writeInt(6 + n);
            out.writeInt(2 + n);
            out.writeByte(contextId);
            out.writeByte((command ? 1 : 0) | (last ? 2 : 0));
            out.write(bytes, off, n);
            off += n;
        } while (off < bytes.length);
        out.flush();
    }

    /**
     * Reads the next complete message (command and, if announced, its data set).
     *
     * @param target where a data set goes; returning null keeps it in memory (at most 4 MiB)
     */
    public Message receive(DatasetTarget target) throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        CommandView view = null;
        int contextId = -1;
        OutputStream data = null;
        ByteArrayOutputStream buffered = null;
        long dataBytes = 0;
        while (true) {
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            long length = in.readInt() & 0xFFFFFFFFL;
            if (type == A_ABORT) {
                open = false;
                throw new AbortedException(peer.calledAeTitle() + " aborted the association");
            }
            if (type == A_RELEASE_RQ) {
                in.skipNBytes(Math.min(length, 4));
                pdu(A_RELEASE_RP, new byte[4]);
                open = false;
                throw new IOException(peer.calledAeTitle() + " released the association in the middle of a request");
            }
            if (type != P_DATA_TF) {
                throw protocol("unexpected PDU type " + type);
            }
            if (length > CHUNK * 64L) {
                throw protocol("P-DATA-TF of " + length + " bytes");
            }
            long left = length;
            while (left > 0) {
                if (left < 6) {
                    throw protocol("P-DATA-TF ends inside a PDV header");
                }
                long pdv = in.readInt() & 0xFFFFFFFFL;
                if (pdv < 2 || pdv > left - 4) {
                    throw protocol("PDV of " + pdv + " bytes in a P-DATA-TF with " + (left - 4) + " left");
                }
                int ctx = in.readUnsignedByte();
                int header = in.readUnsignedByte();
                long n = pdv - 2;
                left -= 4 + pdv;
                if (!abstractSyntaxes.containsKey(ctx)) {
                    throw protocol("PDV on presentation context " + ctx + ", which was not accepted");
                }
                boolean isCommand = (header & 1) != 0;
                boolean last = (header & 2) != 0;
                if (isCommand) {
                    if (view != null || command.size() + n > MAX_COMMAND_BYTES) {
                        throw protocol("command set too large or sent twice");
                    }
                    byte[] bytes = new byte[(int) n];
                    in.readFully(bytes);
                    command.writeBytes(bytes);
                    if (last) {
                        try {
                            view = new CommandView(CommandSet.parse(command.toByteArray()));
                        } catch (IllegalArgumentException e) {
                            throw protocol(e.getMessage());
                        }
                        contextId = ctx;
                        if (!view.hasDataSet()) {
                            return new Message(ctx, view, null);
                        }
                        data = target.open(ctx, view);
                        if (data == null) {
                            buffered = new ByteArrayOutputStream();
                            data = buffered;
                        }
                    }
                } else {
                    if (view == null || ctx != contextId) {
                        throw protocol("data set fragment without a command expecting it");
                    }
                    long remaining = n;
                    while (remaining > 0) {
                        int r = (int) Math.min(chunk.length, remaining);
                        in.readFully(chunk, 0, r);
                        remaining -= r;
                        dataBytes += r;
                        if (buffered != null && dataBytes > MAX_BUFFERED_DATASET) {
                            throw protocol("a data set of more than " + MAX_BUFFERED_DATASET + " bytes where an identifier was expected");
                        }
                        data.write(chunk, 0, r);
                    }
                    if (last) {
                        return new Message(ctx, view, buffered == null ? null : buffered.toByteArray());
                    }
                }
            }
        }
    }

    private IOException protocol(String message) {
        abort();
        return new IOException("protocol error from " + peer.calledAeTitle() + ": " + message);
    }

    /** Releases the association politely; aborts when the peer does not answer. */
    public void release() {
        if (!open) {
            closeQuietly();
            return;
        }
        try {
            pdu(A_RELEASE_RQ, new byte[4]);
            for (int i = 0; i < 16; i++) {
                int type = in.readUnsignedByte();
                in.readUnsignedByte();
                long length = in.readInt() & 0xFFFFFFFFL;
                if (type == A_RELEASE_RP) {
                    break;
                }
                in.skipNBytes(Math.min(length, 1 << 20)); // late responses of a cancelled request
            }
        } catch (IOException e) {
            // the peer went away: nothing left to release
        }
        open = false;
        closeQuietly();
    }

    public void abort() {
        try {
            if (open) {
                pdu(A_ABORT, new byte[] {0, 0, 0, 0});
            }
        } catch (IOException e) {
            // going away anyway
        }
        open = false;
        closeQuietly();
    }

    public boolean isOpen() {
        return open && !socket.isClosed();
    }

    @Override
    public void close() {
        release();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    private void pdu(int type, byte[] body) throws IOException {
        Pdu.write(out, type, body);
    }

    private static String subItem(ByteBuffer item, int pos, int wanted) {
        while (pos + 4 <= item.limit()) {
            int type = item.get(pos) & 0xFF;
            int length = item.getShort(pos + 2) & 0xFFFF;
            if (pos + 4 + length > item.limit()) {
                return null;
            }
            if (type == wanted) {
                byte[] bytes = new byte[length];
                item.get(pos + 4, bytes);
                return new String(bytes, StandardCharsets.US_ASCII).replace("\0", "").trim();
            }
            pos += 4 + length;
        }
        return null;
    }



    /**
     * Storage SOP classes a C-GET may deliver, one presentation context per transfer syntax the caller takes. One
     * context per syntax, not all syntaxes in one: the PACS then finds the syntax it stores the instance in and
     * sends it as it is; offered a single context it accepts one syntax for it (Orthanc takes an uncompressed one)
     * and decompresses every loop on the way (6 to 30 times the bytes, spooled decompressed).
     */
    public static List<Proposal> storageProposals(java.util.Collection<String> storageClasses, java.util.Collection<String> transferSyntaxes) {
        List<String> syntaxes = new ArrayList<>(new java.util.TreeSet<>(transferSyntaxes));
        List<Proposal> proposals = new ArrayList<>();
        for (String sopClass : new java.util.TreeSet<>(storageClasses)) {
            for (String syntax : syntaxes) {
                proposals.add(new Proposal(sopClass, List.of(syntax), true));
            }
        }
        return proposals;
    }
}
