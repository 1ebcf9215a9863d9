package org.echostream.ingest.pacs;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.dicom.net.StoreRequest;
import org.echostream.ingest.scp.StoreRouting;

/**
 * Connects the C-STOREs our SCP receives to the backfill C-MOVEs that asked for them. Matching is by SOP
 * Instance UID (the move asked for exactly those), so it works whether or not the PACS fills in the Move
 * Originator fields; a matched instance is ingested with the job's provenance and its result recorded on the
 * move's {@link Expectation}.
 */
public final class MoveRegistry implements StoreRouting {

    private final Map<String, Expectation> bySop = new ConcurrentHashMap<>();

    /** The instances one C-MOVE asked for, and what became of those that arrived. */
    public final class Expectation implements AutoCloseable {
        private final Retrieval retrieval;
        private final Map<String, InstanceOutcome.Received> arrived = new ConcurrentHashMap<>();

        private Expectation(Retrieval retrieval) {
            this.retrieval = retrieval;
        }

        void arrived(String sop, IngestResult result) {
            long bytes = result instanceof IngestResult.Published p ? p.spooled().bytes() : 0;
            arrived.put(sop, new InstanceOutcome.Received(result, bytes));
        }

        public Map<String, InstanceOutcome.Received> arrived() {
            return Map.copyOf(arrived);
        }

        @Override
        public void close() {
            retrieval.instances().forEach(i -> bySop.remove(i.sopInstanceUid(), this));
        }
    }

    /** Registers the instances a C-MOVE is about to ask for; close it after the move's final response. */
    public Expectation expect(Retrieval retrieval) {
        Expectation e = new Expectation(retrieval);
        retrieval.instances().forEach(i -> bySop.put(i.sopInstanceUid(), e));
        return e;
    }

    @Override
    public Routed route(StoreRequest request, Instant receivedAt) {
        Expectation e = request.sopInstanceUid() == null ? null : bySop.get(request.sopInstanceUid());
        if (e == null) {
            return null;
        }
        return new Routed(Provenance.backfill(e.retrieval.jobId(), request.callingAeTitle(), receivedAt, e.retrieval.session()),
                result -> e.arrived(request.sopInstanceUid(), result));
    }

    /** Instances awaited now (a gauge: zero when no backfill is moving). */
    public int awaited() {
        return bySop.size();
    }
}
