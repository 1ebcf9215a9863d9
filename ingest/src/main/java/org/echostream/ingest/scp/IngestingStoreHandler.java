package org.echostream.ingest.scp;

import java.io.IOException;
import java.time.Clock;
import java.util.Set;
import org.echostream.contracts.Verdict;
import org.echostream.dicom.net.StoreHandler;
import org.echostream.dicom.net.StoreRequest;
import org.echostream.dicom.net.StoreStatus;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.SpoolFullException;
import org.echostream.ingest.pipeline.SpooledFile;

/**
 * C-STORE into the ingest pipeline: received bytes go to a spool file; on completion the file is forced to
 * disk, processed and its records committed to Kafka, and only then is SUCCESS answered. Out of resources
 * (A700) when the spool is full or Kafka does not acknowledge, so the sender keeps the instance and retries.
 * Rejected instances get the failure status of their reason; not-scored ones are stored (SUCCESS).
 */
public final class IngestingStoreHandler implements StoreHandler {

    /** Reasons that mean the data set is not the object its SOP class promises. */
    private static final Set<String> DOES_NOT_MATCH = Set.of(RejectReason.MISSING_UIDS.name(), RejectReason.INVALID_UID.name(),
            RejectReason.INVALID_PIXEL_MODULE.name());

    private final Ingestor ingestor;
    private final Clock clock;
    private final long maxInstanceBytes;
    private final StoreRouting routing;

    public IngestingStoreHandler(Ingestor ingestor, Clock clock, long maxInstanceBytes) {
        this(ingestor, clock, maxInstanceBytes, StoreRouting.NONE);
    }

    /** @param routing recognises the sub-operations of this service's own C-MOVEs (backfill) */
    public IngestingStoreHandler(Ingestor ingestor, Clock clock, long maxInstanceBytes, StoreRouting routing) {
        this.ingestor = ingestor;
        this.clock = clock;
        this.maxInstanceBytes = maxInstanceBytes;
        this.routing = routing;
    }

    @Override
    public void associationEnded(String associationId, String callingAeTitle, boolean released) {
        ingestor.studies().sessionEnded(associationId, released, clock.instant());
    }

    @Override
    public Reception begin(StoreRequest request) throws Refusal {
        Spool.Incoming incoming;
        try {
            incoming = ingestor.spool().begin(maxInstanceBytes);
        } catch (SpoolFullException e) {
            throw new Refusal(StoreStatus.outOfResources("spool full"));
        } catch (IOException e) {
            throw new Refusal(StoreStatus.outOfResources("spool unavailable"));
        }
        return new Reception() {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                incoming.write(bytes, offset, length);
            }

            @Override
            public StoreStatus complete() {
                SpooledFile spooled;
                try {
                    spooled = incoming.commit();
                } catch (IOException e) {
                    return StoreStatus.outOfResources("spool write failed");
                }
                java.time.Instant now = clock.instant();
                StoreRouting.Routed routed = routing.route(request, now);
                Provenance provenance = routed != null ? routed.provenance()
                        : Provenance.cstore(request.callingAeTitle(), now, request.associationId());
                IngestResult result = ingestor.ingest(spooled, provenance, request.sopInstanceUid());
                if (routed != null) {
                    routed.onResult().accept(result);
                }
                return statusOf(result);
            }

            @Override
            public void close() {
                try {
                    incoming.close();
                } catch (IOException e) {
                    // an incomplete temporary file is removed at the next start
                }
            }
        };
    }

    public static StoreStatus statusOf(IngestResult result) {
        if (result instanceof IngestResult.Refused refused) {
            return StoreStatus.outOfResources(refused.refusal().name());
        }
        if (result instanceof IngestResult.AlreadyIngested) {
            return StoreStatus.SUCCESS;
        }
        if (result instanceof IngestResult.Declined declined) {
            return StoreStatus.cannotUnderstand(declined.reasonCode());
        }
        var instance = result instanceof IngestResult.Published p ? p.instance() : ((IngestResult.RejectedEarly) result).instance();
        if (instance.verdict().verdict() != Verdict.REJECTED) {
            return StoreStatus.SUCCESS;
        }
        String reason = instance.verdict().reasonCode();
        return DOES_NOT_MATCH.contains(reason) ? StoreStatus.dataSetDoesNotMatch(reason) : StoreStatus.cannotUnderstand(reason);
    }
}
