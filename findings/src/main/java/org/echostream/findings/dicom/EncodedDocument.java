package org.echostream.findings.dicom;

import org.echostream.dicom.net.TransferSyntaxUid;

/**
 * One document encoded three ways: as a Part 10 file (File Meta Information, Explicit VR Little Endian) for
 * STOW-RS and folders, and as bare data sets in the two transfer syntaxes a C-STORE association may accept.
 */
public record EncodedDocument(String sopClassUid, String sopInstanceUid, byte[] part10, byte[] explicitLittleEndian, byte[] implicitLittleEndian) {

    public static final String EXPLICIT_VR_LITTLE_ENDIAN = TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value();
    public static final String IMPLICIT_VR_LITTLE_ENDIAN = TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value();

    /** The data set in {@code transferSyntaxUid}, one of the two above. */
    public byte[] dataSet(String transferSyntaxUid) {
        if (EXPLICIT_VR_LITTLE_ENDIAN.equals(transferSyntaxUid)) {
            return explicitLittleEndian;
        }
        if (IMPLICIT_VR_LITTLE_ENDIAN.equals(transferSyntaxUid)) {
            return implicitLittleEndian;
        }
        throw new IllegalArgumentException("document " + sopInstanceUid + " is not encoded in transfer syntax " + transferSyntaxUid);
    }

    @Override
    public String toString() {
        return "EncodedDocument[" + sopClassUid + " " + sopInstanceUid + ", " + part10.length + " bytes]";
    }
}
