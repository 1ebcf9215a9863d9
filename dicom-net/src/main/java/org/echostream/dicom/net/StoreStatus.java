package org.echostream.dicom.net;

/**
 * A DIMSE status (PS3.7 Annex C) with an optional Error Comment (at most 64 characters, never patient data).
 */
public record StoreStatus(int code, String comment) {

    public static final StoreStatus SUCCESS = new StoreStatus(0x0000, null);

    /** Refused: out of resources (A700): the sender should try again later. */
    public static StoreStatus outOfResources(String comment) {
        return new StoreStatus(0xA700, comment);
    }

    /** Error: data set does not match SOP class (A900). */
    public static StoreStatus dataSetDoesNotMatch(String comment) {
        return new StoreStatus(0xA900, comment);
    }

    /** Error: cannot understand (C000). */
    public static StoreStatus cannotUnderstand(String comment) {
        return new StoreStatus(0xC000, comment);
    }

    /** Refused: SOP class not supported (0122). */
    public static StoreStatus sopClassNotSupported(String comment) {
        return new StoreStatus(0x0122, comment);
    }

    public StoreStatus {
        if (comment != null && comment.length() > 64) {
            comment = comment.substring(0, 64);
        }
    }

    public boolean success() {
        return code == 0;
    }

    public String hex() {
        return String.format("%04X", code);
    }
}
