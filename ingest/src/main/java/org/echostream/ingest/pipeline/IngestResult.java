package org.echostream.ingest.pipeline;

/** What happened to one instance handed to the {@link Ingestor}. */
public sealed interface IngestResult {

    /** Spooled, processed and its records committed: it may be acknowledged. */
    record Published(ProcessedInstance instance, SpooledFile spooled) implements IngestResult {
    }

    /** Ingested before (same SOP Instance UID, not rejected): nothing was published again. */
    record AlreadyIngested(String sopInstanceUid) implements IngestResult {
    }

    /** A rejection decided before processing (not DICOM, too large), published as a dead letter. */
    record RejectedEarly(ProcessedInstance instance) implements IngestResult {
    }

    /** Nothing durable happened (spool full, Kafka unavailable, disk error): the sender must try again later. */
    record Refused(Refusal refusal, String detail) implements IngestResult {
    }

    /**
     * Sound, but not what the sender's request promised (a STOW-RS to one study carrying another): nothing was
     * published, and sending it again unchanged will not help.
     */
    record Declined(String sopInstanceUid, String reasonCode, String detail) implements IngestResult {
    }

    /** Why an instance was refused. */
    enum Refusal {
        SPOOL_FULL, KAFKA_UNAVAILABLE, STORAGE_ERROR
    }
}
