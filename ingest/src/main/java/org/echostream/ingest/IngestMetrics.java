package org.echostream.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.StoreStatus;
import org.jboss.logging.Logger;

/**
 * Counts and logs what ingest does: one log line per instance with UIDs, verdict and reason, never patient
 * data or file paths (archive folders are often named after patients).
 */
@Singleton
class IngestMetrics implements Ingestor.Listener, ScpListener {

    private static final Logger LOG = Logger.getLogger(IngestMetrics.class);
    private final MeterRegistry registry;

    IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onResult(IngestResult result, Provenance provenance, long nanos) {
        String kind = provenance.sourceKind();
        Timer.builder("echostream.ingest.instance.duration").description("Time from a received instance to its committed records")
                .tag("source_kind", kind).register(registry).record(nanos, TimeUnit.NANOSECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (result instanceof IngestResult.Refused refused) {
            counter("echostream.ingest.refused", "Instances refused (not durable; the sender retries)", "refusal", refused.refusal().name()).increment();
            LOG.warnf("instance from %s %s refused: %s (%s)", kind, provenance.source(), refused.refusal(), refused.detail());
            return;
        }
        if (result instanceof IngestResult.Declined declined) {
            counter("echostream.ingest.declined", "Instances not taken because the request did not allow them (STOW-RS to another study)",
                    "reason", declined.reasonCode()).increment();
            LOG.warnf("instance %s from %s %s declined: %s (%s)", declined.sopInstanceUid(), kind, provenance.source(), declined.reasonCode(),
                    declined.detail());
            return;
        }
        if (result instanceof IngestResult.AlreadyIngested already) {
            counter("echostream.ingest.duplicates", "Instances skipped as already ingested", "source_kind", kind).increment();
            LOG.infof("instance %s from %s %s: already ingested, skipped", already.sopInstanceUid(), kind, provenance.source());
            return;
        }
        ProcessedInstance instance = result instanceof IngestResult.Published p ? p.instance() : ((IngestResult.RejectedEarly) result).instance();
        String verdict = instance.verdict().verdict().name();
        String reason = instance.verdict().reasonCode() == null ? "none" : instance.verdict().reasonCode();
        Counter.builder("echostream.ingest.instances").description("Instances ingested, by verdict and reason")
                .tags("source_kind", kind, "verdict", verdict, "reason", reason).register(registry).increment();
        counter("echostream.ingest.clips", "Clips published", "source_kind", kind).increment(instance.clips().size());
        if (instance.deadLetter() != null) {
            counter("echostream.ingest.dead.letters", "Dead letters published, by reason", "reason", reason).increment();
            LOG.warnf("instance %s from %s %s: REJECTED %s: %s (%d ms)", instance.sopInstanceUid(), kind, provenance.source(), reason,
                    instance.verdict().reasonDetail(), millis);
        } else {
            LOG.infof("instance %s from %s %s: %s%s, %d clips (%d ms)", instance.sopInstanceUid(), kind, provenance.source(), verdict,
                    reason.equals("none") ? "" : " " + reason, instance.clips().size(), millis);
        }
    }

    @Override
    public void associationAccepted(String callingAeTitle) {
        counter("echostream.ingest.scp.associations", "DICOM associations by outcome", "outcome", "accepted").increment();
    }

    @Override
    public void associationRejected(String callingAeTitle, String reason) {
        counter("echostream.ingest.scp.associations", "DICOM associations by outcome", "outcome", "rejected").increment();
        LOG.warnf("association from %s rejected: %s", callingAeTitle, reason);
    }

    @Override
    public void associationAborted(String callingAeTitle, String reason) {
        counter("echostream.ingest.scp.associations", "DICOM associations by outcome", "outcome", "aborted").increment();
        LOG.warnf("association from %s aborted: %s", callingAeTitle, reason);
    }

    @Override
    public void associationEnded(String callingAeTitle) {
        counter("echostream.ingest.scp.associations", "DICOM associations by outcome", "outcome", "released").increment();
    }

    @Override
    public void responded(String command, StoreStatus status) {
        Counter.builder("echostream.ingest.scp.responses").description("DIMSE responses by command and status")
                .tags("command", command, "status", status.hex()).register(registry).increment();
    }

    private Counter counter(String name, String description, String tag, String value) {
        return Counter.builder(name).description(description).tag(tag, value).register(registry);
    }
}
