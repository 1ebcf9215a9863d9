package org.echostream.ingest.dicom;

/**
 * Why an object was refused. One stable code per kind of bad input: it is the {@code reasonCode} of the
 * InstanceRecord and of the dead letter, and a metrics label.
 */
public enum RejectReason {
    /** No 'DICM' prefix: not a DICOM Part 10 file. */
    NOT_DICOM,
    /** The file could not be read from disk (permissions, I/O error). */
    UNREADABLE_FILE,
    /** Larger than the configured maximum instance size. */
    FILE_TOO_LARGE,
    /** The file meta information has no Transfer Syntax UID. */
    MISSING_TRANSFER_SYNTAX,
    /** A transfer syntax whose pixels this service cannot decode (JPEG-LS, MPEG, ...). */
    UNSUPPORTED_TRANSFER_SYNTAX,
    /** The element structure is broken (bad VR, a delimiter where none belongs, nesting too deep). */
    MALFORMED_DATASET,
    /** An element declares more bytes than the file holds. */
    TRUNCATED,
    /** The pixel data are shorter than rows x columns x samples x frames, or a fragment is cut short. */
    TRUNCATED_PIXEL_DATA,
    /** Study, Series or SOP Instance UID is missing. */
    MISSING_UIDS,
    /** A Study, Series or SOP Instance UID is not a UID (characters other than digits and dots, or too long). */
    INVALID_UID,
    /** Rows, Columns, Bits Allocated or Samples per Pixel missing or inconsistent. */
    INVALID_PIXEL_MODULE,
    /** A pixel format this service does not convert (bit depth, photometric interpretation, float pixels). */
    UNSUPPORTED_PIXEL_FORMAT,
    /** More frames or pixels than the configured caps. */
    TOO_LARGE_DECODED,
    /**
     * Decoding ran out of memory although the declared sizes were within the caps (several large instances
     * at once, or a codec's own buffers): the instance is refused, the service goes on.
     */
    DECODE_OUT_OF_MEMORY,
    /**
     * The decode took longer than its time budget (a codestream that makes a codec spin, or no decode thread free
     * because earlier ones overran theirs and still run): the instance is refused, the service goes on.
     */
    DECODE_TIMEOUT,
    /** A compressed frame the codec could not decode. */
    CORRUPT_COMPRESSED_FRAME,
    /** Palette colour lookup tables missing or inconsistent. */
    INVALID_PALETTE,
    /** The attributes could not be read by the DICOM parser. */
    UNREADABLE_ATTRIBUTES,
    /** The decoder failed in a way it does not recognise as bad input: keep the file and report it. */
    DECODER_FAILURE
}
