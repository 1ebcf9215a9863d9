package org.echostream.ingest.pacs;

import org.echostream.ingest.pipeline.IngestResult;

/** What became of one instance a backfill asked the PACS for. */
public sealed interface InstanceOutcome {

    /** It arrived and the pipeline answered (published, already ingested, rejected, or refused on our side). */
    record Received(IngestResult result, long bytes) implements InstanceOutcome {
    }

    /**
     * It never arrived.
     *
     * @param reasonCode e.g. RETRIEVE_REFUSED, RETRIEVE_ZERO_INSTANCES, RETRIEVE_INCOMPLETE, PACS_UNREACHABLE
     */
    record Missing(String reasonCode, String detail) implements InstanceOutcome {
    }

    /** A C-MOVE or WADO-RS that answered success but delivered nothing: counted as a failure, never as done. */
    String RETRIEVE_ZERO_INSTANCES = "RETRIEVE_ZERO_INSTANCES";
    /** The PACS answered success but this instance, asked for with others, never came. */
    String RETRIEVE_INCOMPLETE = "RETRIEVE_INCOMPLETE";
}
