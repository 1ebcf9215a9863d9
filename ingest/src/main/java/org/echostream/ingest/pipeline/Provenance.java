package org.echostream.ingest.pipeline;

import java.time.Instant;

/**
 * Where an instance came from. Never derived from attribute values or patient-named paths.
 *
 * @param sourceKind     CSTORE, FILE, STOW or BACKFILL (the InstanceRecord's sourceKind)
 * @param source         calling AE title, job id or STOW client
 * @param callingAeTitle the DICOM peer, for C-STORE and DIMSE retrievals; else null
 * @param receivedAt     when ingest received it
 * @param session        the delivery it is part of (an association, a STOW-RS request, a job), for study completeness;
 *                       null when unknown
 */
public record Provenance(String sourceKind, String source, String callingAeTitle, Instant receivedAt, String session) {

    public static final String CSTORE = "CSTORE";
    public static final String FILE = "FILE";
    public static final String STOW = "STOW";
    public static final String BACKFILL = "BACKFILL";

    public static Provenance cstore(String callingAeTitle, Instant receivedAt) {
        return cstore(callingAeTitle, receivedAt, null);
    }

    public static Provenance cstore(String callingAeTitle, Instant receivedAt, String association) {
        return new Provenance(CSTORE, callingAeTitle, callingAeTitle, receivedAt, association);
    }

    public static Provenance file(String jobId, Instant receivedAt) {
        return new Provenance(FILE, jobId, null, receivedAt, jobId);
    }

    /** @param client who posted it: the authenticated user or the client address, never a patient-derived value */
    public static Provenance stow(String client, Instant receivedAt, String request) {
        return new Provenance(STOW, client, null, receivedAt, request);
    }

    /**
     * @param callingAeTitle the PACS that sent it by DIMSE (C-MOVE sub-operation, C-GET), or null for DICOMweb
     * @param session        the job's delivery of one study
     */
    public static Provenance backfill(String jobId, String callingAeTitle, Instant receivedAt, String session) {
        return new Provenance(BACKFILL, jobId, callingAeTitle, receivedAt, session);
    }

    /** The dead-letter source kind for this provenance. */
    String deadLetterSourceKind() {
        return switch (sourceKind) {
            case CSTORE -> "DICOM_ASSOCIATION";
            case STOW -> "HTTP";
            case BACKFILL -> callingAeTitle != null ? "DICOM_ASSOCIATION" : "HTTP";
            default -> "FILE";
        };
    }
}
