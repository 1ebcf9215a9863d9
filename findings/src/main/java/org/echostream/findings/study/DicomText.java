package org.echostream.findings.study;

import java.util.regex.Pattern;
import org.echostream.dicom.net.Uid;

/**
 * What a value must look like to be written into a DICOM object. Records come from other services, so a
 * value that would make the SR invalid (a UID with letters, a name longer than its VR allows) is refused
 * when it is read, with a reason, rather than discovered by the PACS.
 */
public final class DicomText {

    private static final Pattern DATE = Pattern.compile("[0-9]{8}");
    private static final Pattern TIME = Pattern.compile("[0-9]{2}([0-9]{2}([0-9]{2}(\\.[0-9]{1,6})?)?)?");

    private DicomText() {
    }

    /** PS3.5 9.1, the one rule every service applies (dicom-net's {@link Uid#isValid}). */
    public static boolean isUid(String value) {
        return Uid.isValid(value);
    }

    public static boolean isDate(String value) {
        return value != null && DATE.matcher(value).matches();
    }

    public static boolean isTime(String value) {
        return value != null && TIME.matcher(value).matches();
    }

    /**
     * Whether {@code value} fits a string VR of {@code maxChars} characters: no backslash (the value separator)
     * and no control characters other than those the VR allows (none, for the short string VRs used here).
     */
    public static boolean fits(String value, int maxChars) {
        if (value == null) {
            return true;
        }
        if (value.length() > maxChars) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c < 0x20 && c != 0x1b) {
                return false;
            }
        }
        return true;
    }
}
