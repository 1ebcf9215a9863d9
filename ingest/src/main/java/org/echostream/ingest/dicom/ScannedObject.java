package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;

/**
 * A DICOM Part 10 object whose structure has been walked and bounds-checked: every declared length fits
 * in the bytes that are there. Only after this may a parser allocate from values read in the file.
 *
 * @param transferSyntaxUid  as given in the file meta information
 * @param transferSyntax     the known transfer syntax, or null for a UID this service does not know
 * @param metaSopClassUid    Media Storage SOP Class UID (0002,0002), may be null
 * @param metaSopInstanceUid Media Storage SOP Instance UID (0002,0003), may be null
 * @param dataset            the data set (inflated when deflated), position 0 = first data set element
 * @param explicitVr         how the data set in {@code dataset} is encoded
 * @param bigEndian          byte order of the data set in {@code dataset}
 * @param attributesEnd      end of the attributes before the top-level Pixel Data element (or of the data set)
 * @param pixelData          where the top-level pixel data are, or null when there are none
 */
public record ScannedObject(
        String transferSyntaxUid,
        TransferSyntax transferSyntax,
        String metaSopClassUid,
        String metaSopInstanceUid,
        ByteBuffer dataset,
        boolean explicitVr,
        boolean bigEndian,
        int attributesEnd,
        PixelDataLocation pixelData) {

    /** Codec the pixel data need; UNSUPPORTED for an unknown transfer syntax. */
    public TransferSyntax.Codec codec() {
        return transferSyntax == null ? TransferSyntax.Codec.UNSUPPORTED : transferSyntax.codec();
    }

    public String transferSyntaxTitle() {
        return transferSyntax == null ? "unknown transfer syntax " + transferSyntaxUid : transferSyntax.title();
    }
}
