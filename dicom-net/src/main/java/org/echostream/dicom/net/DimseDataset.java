package org.echostream.dicom.net;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The small data sets of query/retrieve (C-FIND, C-MOVE and C-GET identifiers): flat lists of text attributes,
 * Implicit VR Little Endian (the transfer syntax we propose for those services). Tags are {@code (group << 16) |
 * element}. Decoding is bounded by the bytes given and skips sequences, which a query answer may carry but we
 * never ask for.
 */
public final class DimseDataset {

    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int STUDY_DATE = 0x00080020;
    public static final int ACCESSION_NUMBER = 0x00080050;
    public static final int QUERY_RETRIEVE_LEVEL = 0x00080052;
    public static final int MODALITY = 0x00080060;
    public static final int MODALITIES_IN_STUDY = 0x00080061;
    public static final int PATIENT_ID = 0x00100020;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int NUMBER_OF_STUDY_RELATED_INSTANCES = 0x00201208;
    public static final int NUMBER_OF_SERIES_RELATED_INSTANCES = 0x00201209;

    /** UIDs are padded with NUL, text with a space (PS3.5 6.2). */
    private static final Set<Integer> UIDS = Set.of(SOP_CLASS_UID, SOP_INSTANCE_UID, STUDY_INSTANCE_UID, SERIES_INSTANCE_UID);
    private static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int MAX_DEPTH = 8;

    private DimseDataset() {
    }

    /** Encodes attributes (an empty value asks the peer to return it) in tag order. */
    public static byte[] encode(Map<Integer, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : new TreeMap<>(attributes).entrySet()) {
            byte[] value = e.getValue().getBytes(StandardCharsets.US_ASCII);
            if (value.length % 2 == 1) {
                byte[] padded = java.util.Arrays.copyOf(value, value.length + 1);
                padded[value.length] = UIDS.contains(e.getKey()) ? 0 : (byte) ' ';
                value = padded;
            }
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (e.getKey() >>> 16))
                    .putShort((short) (e.getKey() & 0xFFFF)).putInt(value.length).array());
            out.writeBytes(value);
        }
        return out.toByteArray();
    }

    /**
     * The top-level attributes of an Implicit VR Little Endian data set, values as trimmed text.
     *
     * @throws IllegalArgumentException naming the fact when the bytes are not a data set
     */
    public static Map<Integer, String> decode(byte[] dataset) {
        ByteBuffer b = ByteBuffer.wrap(dataset).order(ByteOrder.LITTLE_ENDIAN);
        Map<Integer, String> out = new TreeMap<>();
        walk(b, dataset.length, 0, out);
        return out;
    }

    /** Walks elements until {@code end} or an item delimiter; top-level text values go into {@code out} when given. */
    private static void walk(ByteBuffer b, int end, int depth, Map<Integer, String> out) {
        while (b.position() < end) {
            if (end - b.position() < 8) {
                throw new IllegalArgumentException("data set ends inside an element header at byte " + b.position());
            }
            int tag = (b.getShort() & 0xFFFF) << 16 | (b.getShort() & 0xFFFF);
            long length = b.getInt() & 0xFFFFFFFFL;
            if (tag == 0xFFFEE00D) {
                return; // item delimitation: the caller's item ends here
            }
            if (length == UNDEFINED) {
                sequence(b, end, depth + 1);
                continue;
            }
            if (length > end - b.position()) {
                throw new IllegalArgumentException(String.format("element (%04X,%04X) declares %d bytes, %d are left", tag >>> 16, tag & 0xFFFF,
                        length, end - b.position()));
            }
            int len = (int) length;
            if (out != null) {
                byte[] value = new byte[len];
                b.get(value);
                out.put(tag, new String(value, StandardCharsets.ISO_8859_1).replace("\0", "").trim());
            } else {
                b.position(b.position() + len);
            }
        }
    }

    /** Skips a sequence of undefined length: items (defined or undefined length) up to its delimiter. */
    private static void sequence(ByteBuffer b, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        while (true) {
            if (end - b.position() < 8) {
                throw new IllegalArgumentException("a sequence of undefined length runs to the end without its delimiter");
            }
            int tag = (b.getShort() & 0xFFFF) << 16 | (b.getShort() & 0xFFFF);
            long length = b.getInt() & 0xFFFFFFFFL;
            if (tag == 0xFFFEE0DD) {
                return;
            }
            if (tag != 0xFFFEE000) {
                throw new IllegalArgumentException(String.format("expected an item in a sequence, found (%04X,%04X)", tag >>> 16, tag & 0xFFFF));
            }
            if (length == UNDEFINED) {
                walk(b, end, depth, null);
            } else if (length > end - b.position()) {
                throw new IllegalArgumentException("a sequence item declares " + length + " bytes, " + (end - b.position()) + " are left");
            } else {
                b.position(b.position() + (int) length);
            }
        }
    }
}
