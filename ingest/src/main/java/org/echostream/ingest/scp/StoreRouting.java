package org.echostream.ingest.scp;

import java.util.function.Consumer;
import org.echostream.dicom.net.StoreRequest;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Provenance;

/**
 * Recognises C-STOREs that are the sub-operations of a retrieval this service asked for (a backfill's C-MOVE):
 * they are ingested with the job's provenance and their results reported back to it.
 */
@FunctionalInterface
public interface StoreRouting {

    /** @return how to ingest the request, or null for an ordinary C-STORE */
    Routed route(StoreRequest request, java.time.Instant receivedAt);

    /** The provenance to ingest with, and who wants the result. */
    record Routed(Provenance provenance, Consumer<IngestResult> onResult) {
    }

    StoreRouting NONE = (request, receivedAt) -> null;
}
