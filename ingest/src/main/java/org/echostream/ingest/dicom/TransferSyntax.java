package org.echostream.ingest.dicom;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The transfer syntaxes ingest meets, with how the data set is encoded and which codec the pixels need.
 * Every transfer syntax defined since DICOM 3.0 other than the first three encodes its data set as
 * Explicit VR Little Endian; only the pixel data differ. That is why an unknown UID is still parsed as
 * Explicit VR Little Endian (so the instance can be named in its rejection) and refused at decode.
 */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, Codec.NATIVE),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, Codec.NATIVE),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, Codec.NATIVE),
    EXPLICIT_VR_BIG_ENDIAN("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, Codec.NATIVE),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, false, Codec.JPEG),
    JPEG_EXTENDED("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, false, false, Codec.JPEG),
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)", true, false, false, Codec.JPEG_LOSSLESS),
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70", "JPEG Lossless SV1 (Process 14, Selection Value 1)", true, false, false, Codec.JPEG_LOSSLESS),
    JPEG_LS_LOSSLESS("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, false, false, Codec.UNSUPPORTED),
    JPEG_LS_NEAR_LOSSLESS("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", true, false, false, Codec.UNSUPPORTED),
    JPEG_2000_LOSSLESS("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless", true, false, false, Codec.JPEG_2000),
    JPEG_2000("1.2.840.10008.1.2.4.91", "JPEG 2000", true, false, false, Codec.JPEG_2000),
    RLE_LOSSLESS("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, Codec.RLE);

    /** How the pixel data of a transfer syntax are decoded. */
    public enum Codec { NATIVE, RLE, JPEG, JPEG_LOSSLESS, JPEG_2000, UNSUPPORTED }

    private static final Map<String, TransferSyntax> BY_UID = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(TransferSyntax::uid, Function.identity()));

    private final String uid;
    private final String title;
    private final boolean explicitVr;
    private final boolean bigEndian;
    private final boolean deflated;
    private final Codec codec;

    TransferSyntax(String uid, String title, boolean explicitVr, boolean bigEndian, boolean deflated, Codec codec) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.deflated = deflated;
        this.codec = codec;
    }

    /** The known transfer syntax with this UID, or null. */
    public static TransferSyntax byUid(String uid) {
        return uid == null ? null : BY_UID.get(uid.trim());
    }

    public String uid() {
        return uid;
    }

    public String title() {
        return title;
    }

    public boolean explicitVr() {
        return explicitVr;
    }

    public boolean bigEndian() {
        return bigEndian;
    }

    public boolean deflated() {
        return deflated;
    }

    public Codec codec() {
        return codec;
    }

    public boolean encapsulated() {
        return codec != Codec.NATIVE;
    }
}
