package org.echostream.dicom.net;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The transfer syntaxes echostream meets (PS3.5 10 and Annex A, PS3.6 Annex A), with how each encodes its data set.
 * Declared once: ingest adds which codec decodes the pixels, findings picks the two it writes, the SCP and SCU
 * negotiate with these values. Every transfer syntax defined after the first three encodes its data set as Explicit
 * VR Little Endian; only the pixel data differ.
 */
public enum TransferSyntaxUid {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false),
    EXPLICIT_VR_BIG_ENDIAN("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, false, false, true),
    JPEG_EXTENDED("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, false, false, true),
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", "JPEG Lossless (Process 14)", true, false, false, true),
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70", "JPEG Lossless SV1 (Process 14, Selection Value 1)", true, false, false, true),
    JPEG_LS_LOSSLESS("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, false, false, true),
    JPEG_LS_NEAR_LOSSLESS("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless", true, false, false, true),
    JPEG_2000_LOSSLESS("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless", true, false, false, true),
    JPEG_2000("1.2.840.10008.1.2.4.91", "JPEG 2000", true, false, false, true),
    RLE_LOSSLESS("1.2.840.10008.1.2.5", "RLE Lossless", true, false, false, true);

    private static final Map<String, TransferSyntaxUid> BY_VALUE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(TransferSyntaxUid::value, Function.identity()));

    private final String value;
    private final String title;
    private final boolean explicitVr;
    private final boolean bigEndian;
    private final boolean deflated;
    private final boolean encapsulated;

    TransferSyntaxUid(String value, String title, boolean explicitVr, boolean bigEndian, boolean deflated, boolean encapsulated) {
        this.value = value;
        this.title = title;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
        this.deflated = deflated;
        this.encapsulated = encapsulated;
    }

    /** The entry with this UID (surrounding padding ignored), or null. */
    public static TransferSyntaxUid of(String value) {
        return value == null ? null : BY_VALUE.get(value.trim());
    }

    public String value() {
        return value;
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

    /** Pixel data in fragments (a compressed syntax) rather than native. */
    public boolean encapsulated() {
        return encapsulated;
    }
}
