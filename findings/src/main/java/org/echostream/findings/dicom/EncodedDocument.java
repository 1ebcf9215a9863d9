package org.echostream.findings.dicom;

/**
 * One document encoded three ways: as a Part 10 file (File Meta Information, Explicit VR Little Endian) for
 * STOW-RS and folders, and as bare data sets in the two transfer syntaxes a C-STORE association may accept.
 */
public record EncodedDocument(String sopClassUid, String sopInstanceUid, byte[] part10, byte[] explicitLittleEndian, byte[] implicitLittleEndian) {

    public static final String EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
    public static final String IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";

    /** The data set in {@code transferSyntaxUid}, one of the two above. */
    public byte[] dataSet(String transferSyntaxUid) {
        return switch (transferSyntaxUid) {
            case EXPLICIT_VR_LITTLE_ENDIAN -> explicitLittleEndian;
            case IMPLICIT_VR_LITTLE_ENDIAN -> implicitLittleEndian;
            default -> throw new IllegalArgumentException("document " + sopInstanceUid + " is not encoded in transfer syntax " + transferSyntaxUid);
        };
    }

    @Override
    public String toString() {
        return "EncodedDocument[" + sopClassUid + " " + sopInstanceUid + ", " + part10.length + " bytes]";
    }
}
