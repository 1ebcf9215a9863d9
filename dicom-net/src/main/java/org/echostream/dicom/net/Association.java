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
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * One DICOM association on the SCP side (PS3.8 upper layer, PS3.7 DIMSE): negotiation, then C-ECHO and
 * C-STORE requests until release or abort. Every length read from the peer is checked against the PDU
 * that holds it and against our own limits before it sizes anything. A C-STORE is answered only after its
 * {@link StoreHandler.Reception} completed; an association that ends mid-transfer discards what it got.
 */
final class Association implements Runnable {

    private static final String APPLICATION_CONTEXT = Uid.APPLICATION_CONTEXT.value();
    private static final String VERIFICATION = Uid.VERIFICATION.value();

    private static final int MAX_ASSOCIATE_RQ = 64 * 1024;
    private static final int MAX_COMMAND_BYTES = 64 * 1024;
    private static final int CHUNK = 64 * 1024;

    /** A presentation context the SCP accepted. */
    private record Context(String abstractSyntax, String transferSyntax) {
    }

    /** The peer broke the protocol: the association is aborted with this reason (PS3.8 9.3.8). */
    private static final class ProtocolException extends Exception {
        final int reason;

        ProtocolException(int reason, String message) {
            super(message);
            this.reason = reason;
        }
    }

    private final Socket socket;
    private final ScpSettings settings;
    private final DicomTls tls;
    private final StoreHandler handler;
    private final ScpListener listener;
    private final AssociationCounts counts;
    private final AtomicInteger pending;
    private final ScheduledExecutorService timers;
    private final String address;
    private final String id;
    private final Map<Integer, Context> contexts = new HashMap<>();
    private DataInputStream in;
    private DataOutputStream out;
    private String callingAe = "?";
    private boolean counted;
    private boolean stillPending = true;
    /** Set by a timer that closed the socket under the association thread: ARTIM, WRITE_TIMEOUT or LIFETIME. */
    private volatile String expired;

    // the request being received
    private CommandSet pendingCommand;
    private int pendingContext;
    private StoreHandler.Reception reception;
    private StoreStatus pendingStatus;
    private long receivedBytes;
    private final ByteArrayOutputStream commandBytes = new ByteArrayOutputStream();
    private final byte[] chunk = new byte[CHUNK];

    Association(String id, Socket socket, ScpSettings settings, DicomTls tls, StoreHandler handler, ScpListener listener,
                AssociationCounts counts, AtomicInteger pending, ScheduledExecutorService timers) {
        this.id = id;
        this.socket = socket;
        this.settings = settings;
        this.tls = tls;
        this.handler = handler;
        this.listener = listener;
        this.counts = counts;
        this.pending = pending;
        this.timers = timers;
        this.address = socket.getInetAddress() == null ? "?" : socket.getInetAddress().getHostAddress();
    }

    @Override
    public void run() {
        boolean released = false;
        ScheduledFuture<?> artim = timers.schedule(() -> expire("ARTIM"), settings.limits().associationRequestTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        ScheduledFuture<?> lifetime = null;
        // not try-with-resources: its catch clauses run after the socket is closed, and an A-ABORT could never be sent
        try {
            socket.setSoTimeout((int) settings.limits().associationRequestTimeout().toMillis());
            socket.setTcpNoDelay(true);
            if (socket instanceof SSLSocket s) {
                try {
                    s.startHandshake(); // under ARTIM: a peer that stalls in the handshake is closed like one that stalls before its request
                } catch (SSLException e) {
                    if (expired != null) {
                        listener.associationAborted(callingAe, expired); // ARTIM closed a handshake that took too long
                    } else {
                        listener.associationRejected(callingAe, "TLS_HANDSHAKE_FAILED"); // a plain peer, or a certificate we refuse
                    }
                    return;
                }
            }
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), CHUNK));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 8192));
            boolean accepted = negotiate(artim);
            if (accepted) {
                lifetime = timers.schedule(() -> expire("LIFETIME"), settings.limits().maxLifetime().toMillis(), TimeUnit.MILLISECONDS);
                released = serve();
            }
        } catch (ProtocolException e) {
            abortQuietly(e.reason);
            listener.associationAborted(callingAe, "PROTOCOL: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            if (stillPending) {
                listener.associationAborted(callingAe, "ARTIM"); // no association yet: the connection is just closed (PS3.8 9.2.3)
            } else {
                abortQuietly(0);
                listener.associationAborted(callingAe, "IDLE");
            }
        } catch (EOFException e) {
            listener.associationAborted(callingAe, expired != null ? expired : "CONNECTION_CLOSED");
        } catch (IOException e) {
            listener.associationAborted(callingAe, expired != null ? expired : "CONNECTION_LOST: " + e.getMessage());
        } catch (RuntimeException e) {
            // a defect on input we did not foresee: the peer gets an A-ABORT, the thread ends normally, the SCP goes on
            abortQuietly(0);
            listener.associationAborted(callingAe, "PROTOCOL: " + e.getClass().getSimpleName());
        } finally {
            closeSocket();
            artim.cancel(false);
            if (lifetime != null) {
                lifetime.cancel(false);
            }
            leavePending();
            discardReception();
            if (counted) {
                counts.release(callingAe, address);
                handler.associationEnded(id, callingAe, released);
            }
        }
    }

    /** A timer ran out: closing the socket ends the association thread's blocked read or write. */
    private void expire(String why) {
        expired = why;
        closeSocket();
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }

    private void leavePending() {
        if (stillPending) {
            stillPending = false;
            pending.decrementAndGet();
        }
    }

    // ---- negotiation ------------------------------------------------------------------------------------

    private boolean negotiate(ScheduledFuture<?> artim) throws IOException, ProtocolException {
        int type = in.readUnsignedByte();
        in.readUnsignedByte();
        long length = in.readInt() & 0xFFFFFFFFL;
        if (type != A_ASSOCIATE_RQ) {
            throw new ProtocolException(2, "expected A-ASSOCIATE-RQ, got PDU type " + type);
        }
        if (length < 68 || length > MAX_ASSOCIATE_RQ) {
            throw new ProtocolException(6, "A-ASSOCIATE-RQ of " + length + " bytes");
        }
        byte[] body = new byte[(int) length];
        in.readFully(body);
        // the request is complete: ARTIM stops, the idle timer starts, and the connection leaves the pending ones
        artim.cancel(false);
        socket.setSoTimeout((int) settings.idleTimeout().toMillis());
        leavePending();
        ByteBuffer b = ByteBuffer.wrap(body);
        b.getShort(); // protocol version
        b.getShort();
        byte[] called = new byte[16];
        byte[] calling = new byte[16];
        byte[] reserved = new byte[32];
        b.get(called).get(calling).get(reserved);
        String calledAe = aeTitle(called);
        callingAe = aeTitle(calling);
        String applicationContext = null;
        Map<Integer, String[]> proposed = new LinkedHashMap<>(); // id -> abstract syntax, transfer syntaxes...
        while (b.remaining() >= 4) {
            int itemType = b.get() & 0xFF;
            b.get();
            int itemLength = b.getShort() & 0xFFFF;
            if (itemLength > b.remaining()) {
                throw new ProtocolException(6, "association item 0x" + Integer.toHexString(itemType) + " runs past its PDU");
            }
            ByteBuffer item = b.slice(b.position(), itemLength);
            b.position(b.position() + itemLength);
            switch (itemType) {
                case 0x10 -> applicationContext = ascii(item, 0, itemLength);
                case 0x20 -> {
                    if (itemLength < 4) {
                        throw new ProtocolException(6, "presentation context item of " + itemLength + " bytes, shorter than its 4-byte header");
                    }
                    proposed.put(item.get(0) & 0xFF, presentationContext(item));
                }
                default -> {
                    // user information (0x50): the peer's maximum length does not bound our tiny responses
                }
            }
        }
        String refusal = refusal(calledAe, applicationContext);
        if (refusal != null) {
            return false;
        }
        AssociationCounts.Refusal limit = counts.acquire(callingAe, address);
        if (limit != null) {
            reject(2, 3, 2, limit.name()); // transient, service provider (presentation), local limit exceeded
            return false;
        }
        counted = true;
        accept(called, calling, reserved, proposed);
        listener.associationAccepted(callingAe);
        return true;
    }

    /** Rejects (and says why) when the called AE, the calling AE or the application context is not ours; else null. */
    private String refusal(String calledAe, String applicationContext) throws IOException {
        if (!settings.aeTitle().equals(calledAe)) {
            reject(1, 1, 7, "CALLED_AE_UNKNOWN");
            return "called";
        }
        if (!settings.allowedCallingAeTitles().isEmpty() && !settings.allowedCallingAeTitles().contains(callingAe)) {
            reject(1, 1, 3, "CALLING_AE_NOT_ALLOWED");
            return "calling";
        }
        if (tls != null && tls.settings().clientAuthentication() == DicomTls.ClientAuthentication.REQUIRED
                && socket instanceof SSLSocket s && !callingAe.equals(DicomTls.peerCommonName(s))) {
            // the certificate is valid (the handshake checked it) but names another AE: it cannot vouch for this one
            reject(1, 1, 3, "CALLING_AE_NOT_CERTIFIED");
            return "certificate";
        }
        if (!APPLICATION_CONTEXT.equals(applicationContext)) {
            reject(1, 1, 2, "APPLICATION_CONTEXT_NOT_SUPPORTED");
            return "context";
        }
        return null;
    }

    private static String[] presentationContext(ByteBuffer item) throws ProtocolException {
        List<String> values = new java.util.ArrayList<>();
        values.add(null);
        int pos = 4;
        while (pos + 4 <= item.limit()) {
            int type = item.get(pos) & 0xFF;
            int length = item.getShort(pos + 2) & 0xFFFF;
            if (pos + 4 + length > item.limit()) {
                throw new ProtocolException(6, "presentation context sub-item runs past its item");
            }
            String uid = ascii(item, pos + 4, length);
            if (type == 0x30) {
                values.set(0, uid);
            } else if (type == 0x40) {
                values.add(uid);
            }
            pos += 4 + length;
        }
        return values.toArray(String[]::new);
    }

    private void accept(byte[] called, byte[] calling, byte[] reserved, Map<Integer, String[]> proposed) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 1, 0, 0});
        body.writeBytes(called);
        body.writeBytes(calling);
        body.writeBytes(reserved);
        Pdu.item(body, 0x10, APPLICATION_CONTEXT.getBytes(StandardCharsets.US_ASCII));
        for (var entry : proposed.entrySet()) {
            int id = entry.getKey();
            String[] p = entry.getValue();
            String abstractSyntax = p[0];
            int result;
            String chosen = null;
            if (abstractSyntax == null || (!VERIFICATION.equals(abstractSyntax) && !settings.storageClasses().contains(abstractSyntax))) {
                result = 3; // abstract syntax not supported
            } else {
                for (int i = 1; i < p.length && chosen == null; i++) {
                    // Verification carries no data set: the default transfer syntax (PS3.5 10.1), which every
                    // implementation supports, always does, whatever the storage contexts take
                    if (settings.transferSyntaxes().contains(p[i])
                            || VERIFICATION.equals(abstractSyntax) && TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value().equals(p[i])) {
                        chosen = p[i];
                    }
                }
                result = chosen == null ? 4 : 0; // transfer syntaxes not supported, or acceptance
            }
            if (result == 0) {
                contexts.put(id, new Context(abstractSyntax, chosen));
            }
            ByteArrayOutputStream pc = new ByteArrayOutputStream();
            pc.writeBytes(new byte[] {(byte) id, 0, (byte) result, 0});
            Pdu.item(pc, 0x40, (chosen == null ? TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value() : chosen).getBytes(StandardCharsets.US_ASCII));
            Pdu.item(body, 0x21, pc.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        Pdu.item(user, 0x51, ByteBuffer.allocate(4).putInt(settings.maxPduLength()).array());
        Pdu.item(user, 0x52, Part10Header.IMPLEMENTATION_CLASS_UID.getBytes(StandardCharsets.US_ASCII));
        Pdu.item(user, 0x55, Part10Header.IMPLEMENTATION_VERSION.getBytes(StandardCharsets.US_ASCII));
        Pdu.item(body, 0x50, user.toByteArray());
        pdu(A_ASSOCIATE_AC, body.toByteArray());
    }

    private void reject(int result, int source, int reason, String why) throws IOException {
        listener.associationRejected(callingAe, why); // counted before the peer can see the answer
        pdu(A_ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
    }

    // ---- data transfer ----------------------------------------------------------------------------------

    /** @return true when the peer released the association, false when it aborted */
    private boolean serve() throws IOException, ProtocolException {
        while (true) {
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            long length = in.readInt() & 0xFFFFFFFFL;
            switch (type) {
                case P_DATA_TF -> {
                    if (length > settings.maxPduLength()) {
                        throw new ProtocolException(6, "P-DATA-TF of " + length + " bytes, above the " + settings.maxPduLength() + " negotiated");
                    }
                    pdata(length);
                }
                case A_RELEASE_RQ -> {
                    in.skipNBytes(Math.min(length, 4));
                    discardReception();
                    pdu(A_RELEASE_RP, new byte[4]);
                    listener.associationEnded(callingAe);
                    return true;
                }
                case A_ABORT -> {
                    discardReception();
                    listener.associationAborted(callingAe, "PEER_ABORT");
                    return false;
                }
                default -> throw new ProtocolException(2, "unexpected PDU type " + type + " during data transfer");
            }
        }
    }

    private void pdata(long length) throws IOException, ProtocolException {
        long left = length;
        while (left > 0) {
            if (left < 6) {
                throw new ProtocolException(6, "P-DATA-TF ends inside a PDV header");
            }
            long pdvLength = in.readInt() & 0xFFFFFFFFL;
            if (pdvLength < 2 || pdvLength > left - 4) {
                throw new ProtocolException(6, "PDV of " + pdvLength + " bytes in a P-DATA-TF with " + (left - 4) + " left");
            }
            int contextId = in.readUnsignedByte();
            int header = in.readUnsignedByte();
            long data = pdvLength - 2;
            left -= 4 + pdvLength;
            if (!contexts.containsKey(contextId)) {
                throw new ProtocolException(6, "PDV on presentation context " + contextId + ", which was not accepted");
            }
            boolean command = (header & 1) != 0;
            boolean last = (header & 2) != 0;
            if (command) {
                commandFragment(contextId, data, last);
            } else {
                dataFragment(contextId, data, last);
            }
        }
    }

    private void commandFragment(int contextId, long length, boolean last) throws IOException, ProtocolException {
        if (pendingCommand != null) {
            throw new ProtocolException(5, "a command arrived before the data set of the previous one was complete");
        }
        if (commandBytes.size() + length > MAX_COMMAND_BYTES) {
            throw new ProtocolException(6, "command set larger than " + MAX_COMMAND_BYTES + " bytes");
        }
        byte[] bytes = new byte[(int) length];
        in.readFully(bytes);
        commandBytes.writeBytes(bytes);
        if (!last) {
            return;
        }
        CommandSet command;
        try {
            command = CommandSet.parse(commandBytes.toByteArray());
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(6, e.getMessage());
        } finally {
            commandBytes.reset();
        }
        startRequest(contextId, command);
    }

    private void startRequest(int contextId, CommandSet command) throws IOException {
        Integer field = command.us(CommandSet.COMMAND_FIELD);
        int messageId = command.us(CommandSet.MESSAGE_ID) == null ? 0 : command.us(CommandSet.MESSAGE_ID);
        if (field != null && field == CommandSet.C_ECHO_RQ && !command.hasDataSet()) {
            respond(contextId, CommandSet.C_ECHO_RQ | CommandSet.RESPONSE_BIT, VERIFICATION, messageId, StoreStatus.SUCCESS, null, "C-ECHO");
            return;
        }
        if (!command.hasDataSet()) {
            respond(contextId, (field == null ? 0 : field) | CommandSet.RESPONSE_BIT, command.uid(CommandSet.AFFECTED_SOP_CLASS_UID), messageId,
                    new StoreStatus(0x0211, "unrecognized operation"), null, "OTHER");
            return;
        }
        pendingCommand = command;
        pendingContext = contextId;
        pendingStatus = null;
        receivedBytes = 0;
        if (field == null || field != CommandSet.C_STORE_RQ) {
            pendingStatus = new StoreStatus(0x0211, "unrecognized operation"); // its data set is read and dropped
            return;
        }
        String sopClass = command.uid(CommandSet.AFFECTED_SOP_CLASS_UID);
        String sopInstance = command.uid(CommandSet.AFFECTED_SOP_INSTANCE_UID);
        Context context = contexts.get(contextId);
        if (sopClass == null || sopInstance == null || sopInstance.isEmpty()) {
            pendingStatus = StoreStatus.cannotUnderstand("C-STORE-RQ without Affected SOP Class/Instance UID");
        } else if (!sopClass.equals(context.abstractSyntax())) {
            pendingStatus = StoreStatus.sopClassNotSupported("SOP class differs from the presentation context");
        } else {
            try {
                reception = handler.begin(new StoreRequest(callingAe, sopClass, sopInstance, context.transferSyntax(), messageId, id,
                        command.uid(CommandSet.MOVE_ORIGINATOR_AE_TITLE), command.us(CommandSet.MOVE_ORIGINATOR_MESSAGE_ID)));
                byte[] header = Part10Header.of(sopClass, sopInstance, context.transferSyntax(), callingAe);
                reception.write(header, 0, header.length);
            } catch (StoreHandler.Refusal r) {
                pendingStatus = r.status();
                reception = null;
            } catch (IOException e) {
                pendingStatus = StoreStatus.outOfResources("cannot write to the spool");
                discardReception();
            }
        }
    }

    private void dataFragment(int contextId, long length, boolean last) throws IOException, ProtocolException {
        if (pendingCommand == null || contextId != pendingContext) {
            throw new ProtocolException(5, "data set fragment on context " + contextId + " without a command expecting it");
        }
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            in.readFully(chunk, 0, n);
            left -= n;
            receivedBytes += n;
            if (reception == null) {
                continue; // refused or failed: the rest of the data set is read and dropped
            }
            if (receivedBytes > settings.maxInstanceBytes()) {
                pendingStatus = StoreStatus.outOfResources("instance larger than " + settings.maxInstanceBytes() + " bytes");
                discardReception();
                continue;
            }
            try {
                reception.write(chunk, 0, n);
            } catch (IOException e) {
                pendingStatus = StoreStatus.outOfResources("spool write failed");
                discardReception();
            }
        }
        if (last) {
            finishRequest();
        }
    }

    private void finishRequest() throws IOException {
        CommandSet command = pendingCommand;
        StoreStatus status = pendingStatus;
        if (status == null) {
            try {
                status = reception.complete(); // durable before it is answered
            } catch (RuntimeException e) {
                status = StoreStatus.outOfResources("internal error; try again"); // not known to be durable: not acknowledged
            }
        }
        discardReception();
        pendingCommand = null;
        Integer field = command.us(CommandSet.COMMAND_FIELD);
        int messageId = command.us(CommandSet.MESSAGE_ID) == null ? 0 : command.us(CommandSet.MESSAGE_ID);
        respond(pendingContext, (field == null ? 0 : field) | CommandSet.RESPONSE_BIT, command.uid(CommandSet.AFFECTED_SOP_CLASS_UID), messageId,
                status, command.uid(CommandSet.AFFECTED_SOP_INSTANCE_UID), field != null && field == CommandSet.C_STORE_RQ ? "C-STORE" : "OTHER");
    }

    private void respond(int contextId, int field, String sopClass, int messageId, StoreStatus status, String sopInstance, String what)
            throws IOException {
        byte[] command = CommandSet.response(field, sopClass, messageId, status, sopInstance);
        ByteBuffer body = ByteBuffer.allocate(6 + command.length);
        body.putInt(2 + command.length).put((byte) contextId).put((byte) 0x03).put(command);
        pdu(P_DATA_TF, body.array());
        listener.responded(what, status);
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private void discardReception() {
        if (reception != null) {
            reception.close();
            reception = null;
        }
    }

    /** Writes one PDU; a peer that stops reading is dropped after the write timeout instead of holding this thread. */
    private void pdu(int type, byte[] body) throws IOException {
        ScheduledFuture<?> guard = timers.schedule(() -> expire("WRITE_TIMEOUT"), settings.limits().writeTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
        try {
            Pdu.write(out, type, body);
        } finally {
            guard.cancel(false);
        }
    }

    private void abortQuietly(int reason) {
        try {
            pdu(A_ABORT, new byte[] {0, 0, 2, (byte) reason});
        } catch (IOException | RuntimeException e) {
            // the connection is going away anyway
        }
    }


    private static String aeTitle(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII).replaceAll("[^\\x20-\\x7E]", "").trim();
    }

    private static String ascii(ByteBuffer b, int offset, int length) {
        byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }
}
