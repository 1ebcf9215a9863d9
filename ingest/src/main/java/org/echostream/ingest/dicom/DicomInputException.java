package org.echostream.ingest.dicom;

/**
 * Bad input found while reading a DICOM object: carries the one reason code and a sentence that names
 * the element and the fact. Never carries attribute values that could identify a patient.
 */
public final class DicomInputException extends Exception {

    private final RejectReason reason;
    /** The sound part of an object whose structure broke further on, for reading its attributes anyway; may be null. */
    private ScannedObject soundPart;

    public DicomInputException(RejectReason reason, String detail) {
        super(detail);
        this.reason = reason;
    }

    public DicomInputException(RejectReason reason, String detail, Throwable cause) {
        super(detail, cause);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    public ScannedObject soundPart() {
        return soundPart;
    }

    DicomInputException withSoundPart(ScannedObject part) {
        this.soundPart = part;
        return this;
    }
}
