package org.echostream.dicom.net;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The standard UIDs echostream names (PS3.6 Annex A), other than transfer syntaxes ({@link TransferSyntaxUid}):
 * declared here once, so that no service types a {@code 1.2.840.10008} string of its own. Also the one rule for
 * what a UID is ({@link #isValid}).
 */
public enum Uid {
    APPLICATION_CONTEXT("1.2.840.10008.3.1.1.1", "DICOM Application Context Name", Kind.APPLICATION_CONTEXT),
    VERIFICATION("1.2.840.10008.1.1", "Verification", Kind.SOP_CLASS),

    ULTRASOUND_IMAGE_STORAGE_RETIRED("1.2.840.10008.5.1.4.1.1.6", "Ultrasound Image Storage (Retired)", Kind.STORAGE),
    ULTRASOUND_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.6.1", "Ultrasound Image Storage", Kind.STORAGE),
    ULTRASOUND_MULTIFRAME_IMAGE_STORAGE_RETIRED("1.2.840.10008.5.1.4.1.1.3", "Ultrasound Multi-frame Image Storage (Retired)", Kind.STORAGE),
    ULTRASOUND_MULTIFRAME_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.3.1", "Ultrasound Multi-frame Image Storage", Kind.STORAGE),
    SECONDARY_CAPTURE_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.7", "Secondary Capture Image Storage", Kind.STORAGE),
    MULTIFRAME_SINGLE_BIT_SC_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.7.1", "Multi-frame Single Bit Secondary Capture Image Storage", Kind.STORAGE),
    MULTIFRAME_GRAYSCALE_BYTE_SC_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.7.2", "Multi-frame Grayscale Byte Secondary Capture Image Storage",
            Kind.STORAGE),
    MULTIFRAME_GRAYSCALE_WORD_SC_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.7.3", "Multi-frame Grayscale Word Secondary Capture Image Storage",
            Kind.STORAGE),
    MULTIFRAME_TRUE_COLOR_SC_IMAGE_STORAGE("1.2.840.10008.5.1.4.1.1.7.4", "Multi-frame True Color Secondary Capture Image Storage",
            Kind.STORAGE),
    COMPREHENSIVE_SR_STORAGE("1.2.840.10008.5.1.4.1.1.88.33", "Comprehensive SR Storage", Kind.STORAGE),
    KEY_OBJECT_SELECTION_DOCUMENT_STORAGE("1.2.840.10008.5.1.4.1.1.88.59", "Key Object Selection Document Storage", Kind.STORAGE),

    STUDY_ROOT_QUERY_RETRIEVE_FIND("1.2.840.10008.5.1.4.1.2.2.1", "Study Root Query/Retrieve Information Model - FIND", Kind.SOP_CLASS),
    STUDY_ROOT_QUERY_RETRIEVE_MOVE("1.2.840.10008.5.1.4.1.2.2.2", "Study Root Query/Retrieve Information Model - MOVE", Kind.SOP_CLASS),
    STUDY_ROOT_QUERY_RETRIEVE_GET("1.2.840.10008.5.1.4.1.2.2.3", "Study Root Query/Retrieve Information Model - GET", Kind.SOP_CLASS);

    /** What a UID names. */
    public enum Kind { APPLICATION_CONTEXT, SOP_CLASS, STORAGE }

    /** PS3.5 9.1: components of digits, no leading zero unless the component is 0, separated by single dots. */
    private static final Pattern RULE = Pattern.compile("(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*");
    /** PS3.5 9.1: a UID is at most 64 characters (the UI value representation). */
    public static final int MAX_LENGTH = 64;

    private static final Map<String, Uid> BY_VALUE = Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(Uid::value, Function.identity()));

    private final String value;
    private final String title;
    private final Kind kind;

    Uid(String value, String title, Kind kind) {
        this.value = value;
        this.title = title;
        this.kind = kind;
    }

    public String value() {
        return value;
    }

    public String title() {
        return title;
    }

    public Kind kind() {
        return kind;
    }

    /** The entry with this value, or null when echostream does not name it. */
    public static Uid of(String value) {
        return value == null ? null : BY_VALUE.get(value);
    }

    /** The standard's title of a UID we name, else the UID itself (for messages). */
    public static String describe(String value) {
        Uid u = of(value);
        if (u != null) {
            return u.title() + " (" + value + ")";
        }
        TransferSyntaxUid ts = TransferSyntaxUid.of(value);
        return ts != null ? ts.title() + " (" + value + ")" : String.valueOf(value);
    }

    /**
     * Whether {@code value} is a UID (PS3.5 9.1): digits and dots, no empty component, no leading zero in a component
     * (other than "0" itself), at most 64 characters. The one rule every service applies, whether a UID arrived in a
     * C-STORE, a query answer or a record from another service.
     */
    public static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.length() <= MAX_LENGTH && RULE.matcher(value).matches();
    }
}
