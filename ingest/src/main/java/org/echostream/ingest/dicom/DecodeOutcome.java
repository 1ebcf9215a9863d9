package org.echostream.ingest.dicom;

/** What decoding one DICOM object gave. */
public sealed interface DecodeOutcome {

    /** Transfer Syntax UID of the object, null when not even the file meta information could be read. */
    String transferSyntaxUid();

    /** An image object, decoded to grayscale frames. */
    record Decoded(InstanceAttributes attributes, String transferSyntaxUid, GrayLoop loop) implements DecodeOutcome {
    }

    /** A well-formed object without pixel data (a structured report, a DICOMDIR, ...). */
    record WithoutPixels(InstanceAttributes attributes, String transferSyntaxUid) implements DecodeOutcome {
    }

    /**
     * Bad or undecodable input.
     *
     * @param attributes what could be read before the failure, or null
     */
    record Rejected(RejectReason reason, String detail, InstanceAttributes attributes, String transferSyntaxUid)
            implements DecodeOutcome {
    }
}
