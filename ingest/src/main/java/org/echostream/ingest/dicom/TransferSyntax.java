package org.echostream.ingest.dicom;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.echostream.dicom.net.TransferSyntaxUid;

/**
 * The transfer syntaxes ingest meets (their UIDs and encodings are dicom-net's {@link TransferSyntaxUid}), with
 * which codec the pixels need.
 * Every transfer syntax defined since DICOM 3.0 other than the first three encodes its data set as
 * Explicit VR Little Endian; only the pixel data differ. That is why an unknown UID is still parsed as
 * Explicit VR Little Endian (so the instance can be named in its rejection) and refused at decode.
 */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN, Codec.NATIVE),
    EXPLICIT_VR_LITTLE_ENDIAN(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN, Codec.NATIVE),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN(TransferSyntaxUid.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, Codec.NATIVE),
    EXPLICIT_VR_BIG_ENDIAN(TransferSyntaxUid.EXPLICIT_VR_BIG_ENDIAN, Codec.NATIVE),
    JPEG_BASELINE(TransferSyntaxUid.JPEG_BASELINE, Codec.JPEG),
    JPEG_EXTENDED(TransferSyntaxUid.JPEG_EXTENDED, Codec.JPEG),
    JPEG_LOSSLESS(TransferSyntaxUid.JPEG_LOSSLESS, Codec.JPEG_LOSSLESS),
    JPEG_LOSSLESS_SV1(TransferSyntaxUid.JPEG_LOSSLESS_SV1, Codec.JPEG_LOSSLESS),
    JPEG_LS_LOSSLESS(TransferSyntaxUid.JPEG_LS_LOSSLESS, Codec.UNSUPPORTED),
    JPEG_LS_NEAR_LOSSLESS(TransferSyntaxUid.JPEG_LS_NEAR_LOSSLESS, Codec.UNSUPPORTED),
    JPEG_2000_LOSSLESS(TransferSyntaxUid.JPEG_2000_LOSSLESS, Codec.JPEG_2000),
    JPEG_2000(TransferSyntaxUid.JPEG_2000, Codec.JPEG_2000),
    RLE_LOSSLESS(TransferSyntaxUid.RLE_LOSSLESS, Codec.RLE);

    /** How the pixel data of a transfer syntax are decoded. */
    public enum Codec { NATIVE, RLE, JPEG, JPEG_LOSSLESS, JPEG_2000, UNSUPPORTED }

    private static final Map<String, TransferSyntax> BY_UID = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(TransferSyntax::uid, Function.identity()));

    private final TransferSyntaxUid syntax;
    private final Codec codec;

    TransferSyntax(TransferSyntaxUid syntax, Codec codec) {
        this.syntax = syntax;
        this.codec = codec;
    }

    /** The known transfer syntax with this UID, or null. */
    public static TransferSyntax byUid(String uid) {
        return uid == null ? null : BY_UID.get(uid.trim());
    }

    public String uid() {
        return syntax.value();
    }

    public String title() {
        return syntax.title();
    }

    public boolean explicitVr() {
        return syntax.explicitVr();
    }

    public boolean bigEndian() {
        return syntax.bigEndian();
    }

    public boolean deflated() {
        return syntax.deflated();
    }

    public Codec codec() {
        return codec;
    }

    public boolean encapsulated() {
        return codec != Codec.NATIVE;
    }
}
