package org.echostream.ingest.pipeline;

import java.time.Instant;

/**
 * Where an instance came from. Never derived from attribute values or patient-named paths.
 *
 * @param sourceKind     CSTORE or FILE (the InstanceRecord's sourceKind)
 * @param source         calling AE title or job id
 * @param callingAeTitle the DICOM peer, for C-STORE; else null
 * @param receivedAt     when ingest received it
 */
public record Provenance(String sourceKind, String source, String callingAeTitle, Instant receivedAt) {

    public static final String CSTORE = "CSTORE";
    public static final String FILE = "FILE";

    public static Provenance cstore(String callingAeTitle, Instant receivedAt) {
        return new Provenance(CSTORE, callingAeTitle, callingAeTitle, receivedAt);
    }

    public static Provenance file(String jobId, Instant receivedAt) {
        return new Provenance(FILE, jobId, null, receivedAt);
    }

    /** The dead-letter source kind for this provenance. */
    String deadLetterSourceKind() {
        return CSTORE.equals(sourceKind) ? "DICOM_ASSOCIATION" : "FILE";
    }
}
