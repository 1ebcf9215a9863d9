package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Walks the element structure of a Part 10 file without interpreting values, checking every declared
 * length against the bytes that remain in its enclosing item or file. Debian's PixelMed allocates
 * {@code new byte[declared length]} straight from the file; after this walk every length it can read is
 * at most the file's size. Also finds the pixel data, which ingest reads itself frame by frame.
 */
public final class DicomScanner {

    private static final int PREAMBLE = 128;
    private static final long UNDEFINED_LENGTH = 0xFFFFFFFFL;
    private static final int ITEM = 0xE000;
    private static final int ITEM_DELIMITATION = 0xE00D;
    private static final int SEQUENCE_DELIMITATION = 0xE0DD;
    /** Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2). */
    private static final Set<String> LONG_LENGTH_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV");
    /** A data set this short cannot be more than a few elements; refuse a billion of them in a corrupt file. */
    private static final int MAX_ELEMENTS = 1_000_000;

    private final DicomLimits limits;

    public DicomScanner(DicomLimits limits) {
        this.limits = limits;
    }

    /**
     * @param file the whole file, position 0 = first byte of the preamble
     * @throws DicomInputException naming the element and the fact when the structure is not sound
     */
    public ScannedObject scan(ByteBuffer file) throws DicomInputException {
        if (file.remaining() > limits.maxFileBytes()) {
            throw new DicomInputException(RejectReason.FILE_TOO_LARGE,
                    String.format("file has %,d bytes, more than the %,d accepted", (long) file.remaining(), limits.maxFileBytes()));
        }
        ByteBuffer in = file.slice();
        Meta meta = meta(in);
        if (meta.transferSyntaxUid == null || meta.transferSyntaxUid.isBlank()) {
            throw new DicomInputException(RejectReason.MISSING_TRANSFER_SYNTAX,
                    "the file meta information has no Transfer Syntax UID (0002,0010): the data set encoding is unknown");
        }
        TransferSyntax syntax = TransferSyntax.byUid(meta.transferSyntaxUid);
        boolean explicit = syntax == null || syntax.explicitVr();
        boolean bigEndian = syntax != null && syntax.bigEndian();
        ByteBuffer dataset = in.slice(meta.end, in.remaining() - meta.end);
        if (syntax != null && syntax.deflated()) {
            dataset = inflate(dataset);
        }
        Walk walk = new Walk(dataset);
        try {
            walk.dataset(0, dataset.remaining(), 0, true, false, explicit, bigEndian);
        } catch (DicomInputException e) {
            // The elements before the broken one are sound: their attributes (the UIDs above all) can still name the
            // instance in its rejection.
            throw e.withSoundPart(new ScannedObject(meta.transferSyntaxUid, syntax, meta.sopClassUid, meta.sopInstanceUid, dataset,
                    explicit, bigEndian, walk.topLevelStart, null));
        }
        return new ScannedObject(meta.transferSyntaxUid, syntax, meta.sopClassUid, meta.sopInstanceUid, dataset,
                explicit, bigEndian, walk.pixelData == null ? dataset.remaining() : walk.attributesEnd, walk.pixelData);
    }

    /** The file meta information: where the data set starts and the UIDs that name the object. */
    public record Meta(int end, String transferSyntaxUid, String sopClassUid, String sopInstanceUid) {
    }

    /**
     * Reads only the file meta information (cheap: no data set walk), e.g. to skip an instance already ingested.
     *
     * @throws DicomInputException when the file is not Part 10 or its meta information is cut short
     */
    public static Meta meta(ByteBuffer file) throws DicomInputException {
        ByteBuffer in = file.slice();
        if (in.remaining() < PREAMBLE + 4 || !"DICM".equals(ascii(in, PREAMBLE, 4))) {
            throw new DicomInputException(RejectReason.NOT_DICOM,
                    "no 'DICM' prefix at byte 128: not a DICOM Part 10 file (" + in.remaining() + " bytes)");
        }
        return readMeta(in, PREAMBLE + 4);
    }

    /** Group 0002 is always Explicit VR Little Endian; it ends where the group number changes. */
    private static Meta readMeta(ByteBuffer in, int start) throws DicomInputException {
        int pos = start;
        String ts = null;
        String sopClass = null;
        String sopInstance = null;
        while (in.remaining() - pos >= 8 && u16(in, pos, false) == 0x0002) {
            int element = u16(in, pos + 2, false);
            String vr = ascii(in, pos + 4, 2);
            if (!isVr(in.get(pos + 4), in.get(pos + 5))) {
                throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                        "file meta element (0002,%04X) at byte %d is not Explicit VR Little Endian as Part 10 requires", element, pos));
            }
            long length;
            int header;
            if (LONG_LENGTH_VRS.contains(vr)) {
                requireBytes(in.remaining() - pos, 12, pos);
                length = u32(in, pos + 8, false);
                header = 12;
            } else {
                length = u16(in, pos + 6, false);
                header = 8;
            }
            if (length > in.remaining() - pos - header) {
                throw new DicomInputException(RejectReason.TRUNCATED, String.format(
                        "file meta element (0002,%04X) at byte %d declares %,d bytes, %,d are left", element, pos, length, in.remaining() - pos - header));
            }
            String value = vr.equals("UI") ? uid(in, pos + header, (int) length) : null;
            switch (element) {
                case 0x0002 -> sopClass = value;
                case 0x0003 -> sopInstance = value;
                case 0x0010 -> ts = value;
                default -> {
                    // other meta elements are not needed to read the data set
                }
            }
            pos += header + (int) length;
        }
        return new Meta(pos, ts, sopClass, sopInstance);
    }

    private ByteBuffer inflate(ByteBuffer deflated) throws DicomInputException {
        byte[] input = new byte[deflated.remaining()];
        deflated.duplicate().get(input);
        Inflater inflater = new Inflater(true); // raw deflate, no zlib header (PS3.5 A.5)
        try {
            inflater.setInput(input);
            byte[] out = new byte[Math.max(1024, Math.min(input.length * 4, (int) limits.maxInflatedBytes()))];
            int size = 0;
            while (!inflater.finished()) {
                if (size == out.length) {
                    if (out.length >= limits.maxInflatedBytes()) {
                        throw new DicomInputException(RejectReason.FILE_TOO_LARGE, String.format(
                                "the deflated data set of %,d bytes inflates to more than %,d bytes", input.length, limits.maxInflatedBytes()));
                    }
                    out = java.util.Arrays.copyOf(out, (int) Math.min(limits.maxInflatedBytes(), (long) out.length * 2));
                }
                int n = inflater.inflate(out, size, out.length - size);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break; // stream ends without its final block: keep what inflated, the walk will judge it
                }
                size += n;
            }
            return ByteBuffer.wrap(out, 0, size).slice();
        } catch (DataFormatException e) {
            throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                    "the deflated data set is not a valid deflate stream (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    /** One walk over a data set buffer; remembers the top-level pixel data. */
    private final class Walk {
        private final ByteBuffer b;
        private int elements;
        private PixelDataLocation pixelData;
        private int attributesEnd;
        /** Start of the top-level element being walked: everything before it is sound. */
        private int topLevelStart;

        Walk(ByteBuffer b) {
            this.b = b;
        }

        /** Returns the position after the data set (after its item delimiter when {@code untilDelimiter}). */
        int dataset(int pos, int end, int depth, boolean topLevel, boolean untilDelimiter, boolean explicit, boolean bigEndian)
                throws DicomInputException {
            while (true) {
                if (pos == end) {
                    if (untilDelimiter) {
                        throw new DicomInputException(RejectReason.TRUNCATED, String.format(
                                "a sequence item of undefined length runs to byte %d without its item delimiter", end));
                    }
                    return pos;
                }
                if (topLevel && allZero(pos, end)) {
                    return end; // zero padding after the last element: some writers pad to a block size
                }
                if (topLevel) {
                    topLevelStart = pos;
                }
                requireBytes(end - pos, 8, pos);
                int group = u16(b, pos, bigEndian);
                int element = u16(b, pos + 2, bigEndian);
                if (++elements > MAX_ELEMENTS) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET, "more than " + MAX_ELEMENTS + " elements: not a plausible image object");
                }
                if (group == 0xFFFE) {
                    if (element == ITEM_DELIMITATION && untilDelimiter) {
                        return pos + 8;
                    }
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                            String.format("delimiter (FFFE,%04X) at byte %d where a data element belongs", element, pos));
                }
                String vr = null;
                long length;
                int header;
                if (explicit) {
                    if (!isVr(b.get(pos + 4), b.get(pos + 5))) {
                        throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                                "element (%04X,%04X) at byte %d has no valid VR (bytes 0x%02X%02X) although the transfer syntax is explicit VR",
                                group, element, pos, b.get(pos + 4), b.get(pos + 5)));
                    }
                    vr = ascii(b, pos + 4, 2);
                    if (LONG_LENGTH_VRS.contains(vr)) {
                        requireBytes(end - pos, 12, pos);
                        length = u32(b, pos + 8, bigEndian);
                        header = 12;
                    } else {
                        length = u16(b, pos + 6, bigEndian);
                        header = 8;
                    }
                } else {
                    length = u32(b, pos + 4, bigEndian);
                    header = 8;
                }
                int valueStart = pos + header;
                boolean isPixelData = topLevel && group == 0x7FE0 && element == 0x0010;
                if (isPixelData && pixelData != null) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET, "a second Pixel Data element at byte " + pos);
                }
                if (length == UNDEFINED_LENGTH) {
                    if (isPixelData) {
                        attributesEnd = pos;
                        List<PixelDataLocation.Fragment> items = new ArrayList<>();
                        pos = fragments(valueStart, end, bigEndian, items, true);
                        pixelData = new PixelDataLocation.Encapsulated(items);
                    } else if (vr == null || vr.equals("SQ")) {
                        pos = sequence(valueStart, end, true, depth + 1, explicit, bigEndian);
                    } else if (vr.equals("UN")) {
                        // CP-246: a UN of undefined length is a sequence encoded in Implicit VR Little Endian
                        pos = sequence(valueStart, end, true, depth + 1, false, false);
                    } else if (vr.equals("OB") || vr.equals("OW")) {
                        pos = fragments(valueStart, end, bigEndian, new ArrayList<>(), false); // e.g. an icon's encapsulated pixels
                    } else {
                        throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                                "element (%04X,%04X) at byte %d has undefined length but VR %s", group, element, pos, vr));
                    }
                    continue;
                }
                if (length > end - valueStart) {
                    throw new DicomInputException(isPixelData ? RejectReason.TRUNCATED_PIXEL_DATA : RejectReason.TRUNCATED, String.format(
                            "element (%04X,%04X) at byte %d declares %,d bytes, %,d are left", group, element, pos, length, end - valueStart));
                }
                int len = (int) length;
                if (isPixelData) {
                    attributesEnd = pos;
                    pixelData = new PixelDataLocation.Native(valueStart, len, vr);
                } else if (topLevel && group == 0x7FE0 && (element == 0x0008 || element == 0x0009) && pixelData == null) {
                    attributesEnd = pos;
                    pixelData = new PixelDataLocation.Unsupported(element == 0x0008 ? "Float Pixel Data (7FE0,0008)" : "Double Float Pixel Data (7FE0,0009)");
                } else if ("SQ".equals(vr)) {
                    sequence(valueStart, valueStart + len, false, depth + 1, explicit, bigEndian);
                } else if ((vr == null || vr.equals("UN")) && len >= 8 && startsWithItem(valueStart, vr == null && bigEndian)) {
                    // Implicit VR (or UN) hides which values are sequences; a value that opens with an item tag is one,
                    // and a parser with a dictionary will read it as one, so its items are checked too.
                    sequence(valueStart, valueStart + len, false, depth + 1, vr != null ? false : explicit, vr == null && bigEndian);
                }
                pos = valueStart + len;
            }
        }

        int sequence(int pos, int end, boolean undefinedLength, int depth, boolean explicit, boolean bigEndian) throws DicomInputException {
            if (depth > limits.maxDepth()) {
                throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                        "sequences nested deeper than " + limits.maxDepth() + " levels at byte " + pos);
            }
            while (true) {
                if (pos == end) {
                    if (undefinedLength) {
                        throw new DicomInputException(RejectReason.TRUNCATED,
                                "a sequence of undefined length runs to byte " + end + " without its sequence delimiter");
                    }
                    return pos;
                }
                requireBytes(end - pos, 8, pos);
                int group = u16(b, pos, bigEndian);
                int element = u16(b, pos + 2, bigEndian);
                long length = u32(b, pos + 4, bigEndian);
                if (group != 0xFFFE) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                            "expected an item (FFFE,E000) at byte %d inside a sequence, found (%04X,%04X)", pos, group, element));
                }
                if (element == SEQUENCE_DELIMITATION) {
                    return pos + 8;
                }
                if (element != ITEM) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                            "unexpected (FFFE,%04X) at byte %d inside a sequence", element, pos));
                }
                if (length == UNDEFINED_LENGTH) {
                    pos = dataset(pos + 8, end, depth, false, true, explicit, bigEndian);
                } else {
                    if (length > end - pos - 8) {
                        throw new DicomInputException(RejectReason.TRUNCATED, String.format(
                                "sequence item at byte %d declares %,d bytes, %,d are left", pos, length, end - pos - 8));
                    }
                    int itemEnd = pos + 8 + (int) length;
                    dataset(pos + 8, itemEnd, depth, false, false, explicit, bigEndian);
                    pos = itemEnd;
                }
            }
        }

        int fragments(int pos, int end, boolean bigEndian, List<PixelDataLocation.Fragment> out, boolean pixels) throws DicomInputException {
            RejectReason cut = pixels ? RejectReason.TRUNCATED_PIXEL_DATA : RejectReason.TRUNCATED;
            while (true) {
                if (end - pos < 8) {
                    throw new DicomInputException(cut, String.format(
                            "encapsulated pixel data end at byte %d without their sequence delimiter (%d fragments read)", pos, out.size()));
                }
                int group = u16(b, pos, bigEndian);
                int element = u16(b, pos + 2, bigEndian);
                long length = u32(b, pos + 4, bigEndian);
                if (group == 0xFFFE && element == SEQUENCE_DELIMITATION) {
                    return pos + 8;
                }
                if (group != 0xFFFE || element != ITEM || length == UNDEFINED_LENGTH) {
                    throw new DicomInputException(RejectReason.MALFORMED_DATASET, String.format(
                            "encapsulated pixel data: expected a fragment item at byte %d, found (%04X,%04X) length 0x%X", pos, group, element, length));
                }
                if (length > end - pos - 8) {
                    throw new DicomInputException(cut, String.format(
                            "fragment %d at byte %d declares %,d bytes, %,d are left", out.size(), pos, length, end - pos - 8));
                }
                out.add(new PixelDataLocation.Fragment(pos + 8, (int) length));
                pos += 8 + (int) length;
            }
        }

        private boolean startsWithItem(int pos, boolean bigEndian) {
            return u16(b, pos, bigEndian) == 0xFFFE && u16(b, pos + 2, bigEndian) == ITEM;
        }

        private boolean allZero(int from, int to) {
            if (to - from > 1024) {
                return false;
            }
            for (int i = from; i < to; i++) {
                if (b.get(i) != 0) {
                    return false;
                }
            }
            return true;
        }
    }

    private static void requireBytes(int left, int needed, int pos) throws DicomInputException {
        if (left < needed) {
            throw new DicomInputException(RejectReason.TRUNCATED,
                    String.format("element header at byte %d needs %d bytes, %d are left", pos, needed, left));
        }
    }

    private static boolean isVr(byte a, byte b) {
        return a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z';
    }

    static int u16(ByteBuffer b, int pos, boolean bigEndian) {
        int x = b.get(pos) & 0xFF;
        int y = b.get(pos + 1) & 0xFF;
        return bigEndian ? (x << 8) | y : (y << 8) | x;
    }

    static long u32(ByteBuffer b, int pos, boolean bigEndian) {
        long lo = u16(b, pos, bigEndian);
        long hi = u16(b, pos + 2, bigEndian);
        return bigEndian ? (lo << 16) | hi : (hi << 16) | lo;
    }

    private static String ascii(ByteBuffer b, int pos, int length) {
        byte[] bytes = new byte[length];
        b.get(pos, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static String uid(ByteBuffer b, int pos, int length) {
        return ascii(b, pos, Math.min(length, 128)).replace("\0", "").trim();
    }
}
