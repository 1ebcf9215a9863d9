package org.echostream.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A DIMSE command set (PS3.7 6.3, 9.3): group 0000 elements, always Implicit VR Little Endian.
 * Parsing is bounded by the bytes given; values are kept raw and read by type on demand.
 */
public final class CommandSet {

    public static final int AFFECTED_SOP_CLASS_UID = 0x0002;
    public static final int COMMAND_FIELD = 0x0100;
    public static final int MESSAGE_ID = 0x0110;
    public static final int MESSAGE_ID_RESPONDED_TO = 0x0120;
    public static final int PRIORITY = 0x0700;
    public static final int COMMAND_DATA_SET_TYPE = 0x0800;
    public static final int STATUS = 0x0900;
    public static final int ERROR_COMMENT = 0x0902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x1000;
    public static final int MOVE_DESTINATION = 0x0600;
    public static final int REMAINING_SUBOPERATIONS = 0x1020;
    public static final int COMPLETED_SUBOPERATIONS = 0x1021;
    public static final int FAILED_SUBOPERATIONS = 0x1022;
    public static final int WARNING_SUBOPERATIONS = 0x1023;
    public static final int MOVE_ORIGINATOR_AE_TITLE = 0x1030;
    public static final int MOVE_ORIGINATOR_MESSAGE_ID = 0x1031;

    public static final int C_STORE_RQ = 0x0001;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_GET_RQ = 0x0010;
    public static final int C_FIND_RQ = 0x0020;
    public static final int C_MOVE_RQ = 0x0021;
    public static final int C_CANCEL_RQ = 0x0FFF;
    public static final int PRIORITY_MEDIUM = 0x0000;
    public static final int RESPONSE_BIT = 0x8000;
    /** Command Data Set Type value meaning "no data set follows". */
    public static final int NO_DATA_SET = 0x0101;

    private final Map<Integer, byte[]> elements;

    private CommandSet(Map<Integer, byte[]> elements) {
        this.elements = elements;
    }

    /** @throws IllegalArgumentException naming the fact when the bytes are not a command set */
    public static CommandSet parse(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, byte[]> elements = new HashMap<>();
        while (b.remaining() >= 8) {
            int group = b.getShort() & 0xFFFF;
            int element = b.getShort() & 0xFFFF;
            long length = b.getInt() & 0xFFFFFFFFL;
            if (group != 0x0000) {
                throw new IllegalArgumentException(String.format("command set holds element (%04X,%04X) outside group 0000", group, element));
            }
            if (length > b.remaining()) {
                throw new IllegalArgumentException(String.format("command element (0000,%04X) declares %d bytes, %d are left", element, length, b.remaining()));
            }
            byte[] value = new byte[(int) length];
            b.get(value);
            elements.put(element, value);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("command set ends with " + b.remaining() + " stray bytes");
        }
        return new CommandSet(elements);
    }

    public Integer us(int element) {
        byte[] v = elements.get(element);
        return v == null || v.length < 2 ? null : (v[0] & 0xFF) | ((v[1] & 0xFF) << 8);
    }

    public String uid(int element) {
        byte[] v = elements.get(element);
        return v == null ? null : new String(v, StandardCharsets.US_ASCII).replace("\0", "").trim();
    }

    boolean hasDataSet() {
        Integer type = us(COMMAND_DATA_SET_TYPE);
        return type != null && type != NO_DATA_SET;
    }

    /**
     * A request command set (C-FIND, C-MOVE, C-GET, C-STORE-RSP aside) with a data set following: group length first,
     * then the elements in tag order.
     *
     * @param moveDestination the AE title for a C-MOVE, else null
     */
    static byte[] request(int commandField, String sopClassUid, int messageId, String moveDestination) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        element(body, AFFECTED_SOP_CLASS_UID, uidBytes(sopClassUid));
        element(body, COMMAND_FIELD, us2(commandField));
        element(body, MESSAGE_ID, us2(messageId));
        if (moveDestination != null) {
            element(body, MOVE_DESTINATION, textBytes(moveDestination));
        }
        element(body, PRIORITY, us2(PRIORITY_MEDIUM));
        element(body, COMMAND_DATA_SET_TYPE, us2(0x0000));
        return withGroupLength(body);
    }

    /** A C-STORE-RQ (PS3.7 9.3.1.1) at medium priority, a data set following. */
    public static byte[] storeRequest(String sopClassUid, int messageId, String sopInstanceUid) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        element(body, AFFECTED_SOP_CLASS_UID, uidBytes(sopClassUid));
        element(body, COMMAND_FIELD, us2(C_STORE_RQ));
        element(body, MESSAGE_ID, us2(messageId));
        element(body, PRIORITY, us2(PRIORITY_MEDIUM));
        element(body, COMMAND_DATA_SET_TYPE, us2(0x0000));
        element(body, AFFECTED_SOP_INSTANCE_UID, uidBytes(sopInstanceUid));
        return withGroupLength(body);
    }

    /** A C-ECHO-RQ (PS3.7 9.3.5.1): no data set. */
    public static byte[] echoRequest(int messageId) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        element(body, AFFECTED_SOP_CLASS_UID, uidBytes(Uid.VERIFICATION.value()));
        element(body, COMMAND_FIELD, us2(C_ECHO_RQ));
        element(body, MESSAGE_ID, us2(messageId));
        element(body, COMMAND_DATA_SET_TYPE, us2(NO_DATA_SET));
        return withGroupLength(body);
    }

    /** A C-CANCEL-RQ for the request with this message id. */
    static byte[] cancel(int messageIdBeingCancelled) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        element(body, COMMAND_FIELD, us2(C_CANCEL_RQ));
        element(body, MESSAGE_ID_RESPONDED_TO, us2(messageIdBeingCancelled));
        element(body, COMMAND_DATA_SET_TYPE, us2(NO_DATA_SET));
        return withGroupLength(body);
    }

    private static byte[] withGroupLength(ByteArrayOutputStream body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** A response command set: group length first, then the elements in tag order. */
    static byte[] response(int commandField, String sopClassUid, int messageId, StoreStatus status, String sopInstanceUid) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (sopClassUid != null) {
            element(body, AFFECTED_SOP_CLASS_UID, uidBytes(sopClassUid));
        }
        element(body, COMMAND_FIELD, us2(commandField));
        element(body, MESSAGE_ID_RESPONDED_TO, us2(messageId));
        element(body, COMMAND_DATA_SET_TYPE, us2(NO_DATA_SET));
        element(body, STATUS, us2(status.code()));
        if (status.comment() != null && !status.success()) {
            element(body, ERROR_COMMENT, textBytes(status.comment()));
        }
        if (sopInstanceUid != null) {
            element(body, AFFECTED_SOP_INSTANCE_UID, uidBytes(sopInstanceUid));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        element(out, 0x0000, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(body.size()).array());
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void element(ByteArrayOutputStream out, int element, byte[] value) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) element)
                .putInt(value.length).array());
        out.writeBytes(value);
    }

    private static byte[] us2(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8)};
    }

    static byte[] uidBytes(String uid) {
        byte[] b = uid.getBytes(StandardCharsets.US_ASCII);
        return b.length % 2 == 0 ? b : java.util.Arrays.copyOf(b, b.length + 1); // pad with NUL
    }

    private static byte[] textBytes(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        byte[] b = printable.getBytes(StandardCharsets.US_ASCII);
        if (b.length % 2 == 1) {
            b = java.util.Arrays.copyOf(b, b.length + 1);
            b[b.length - 1] = ' ';
        }
        return b;
    }
}
