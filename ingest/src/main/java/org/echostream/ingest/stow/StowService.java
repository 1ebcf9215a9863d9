package org.echostream.ingest.stow;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.pacs.InstanceReceiver;
import org.echostream.ingest.pacs.MultipartRelated;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.StoreStatus;

/**
 * STOW-RS (PS3.18 10.5): a {@code multipart/related; type="application/dicom"} body of Part 10 instances, each
 * streamed into the spool and through the pipeline as it arrives, with the C-STORE durability rule: an instance is
 * reported stored only once its records are committed to Kafka. Per-instance outcomes are the statuses a DIMSE
 * sender would get; a request to {@code /studies/{uid}} takes only instances of that study. The request is one
 * completeness session: answering it counts as the sender's release.
 */
public final class StowService {

    public static final String STUDY_INSTANCE_UID_MISMATCH = "STUDY_INSTANCE_UID_MISMATCH";

    private final InstanceReceiver receiver;
    private final Clock clock;
    private final int maxInstances;

    /** @param maxInstances most instances (parts) in one request */
    public StowService(InstanceReceiver receiver, Clock clock, int maxInstances) {
        this.receiver = receiver;
        this.clock = clock;
        this.maxInstances = maxInstances;
    }

    /**
     * @param contentType the request's Content-Type
     * @param studyUid    the target study ({@code /studies/{uid}}), or null
     * @param client      who sent it (an address or a user), for provenance; never from the body
     */
    public StowResponse store(String contentType, InputStream body, String studyUid, String client) {
        Map<String, String> type = MultipartRelated.parameters(contentType);
        if (!"multipart/related".equals(type.get(""))) {
            return StowResponse.refused(415, "Content-Type must be multipart/related; type=\"application/dicom\", got '"
                    + printable(contentType) + "'");
        }
        String partType = type.get("type");
        if (partType != null && !partType.toLowerCase(Locale.ROOT).equals("application/dicom")) {
            return StowResponse.refused(415, "only type=\"application/dicom\" (Part 10 instances) is taken, got type=\"" + printable(partType)
                    + "\" (metadata and bulk data are not supported)");
        }
        String boundary;
        try {
            boundary = MultipartRelated.boundary(contentType);
        } catch (MultipartRelated.MalformedException e) {
            return StowResponse.refused(400, e.getMessage());
        }
        String session = "stow-" + UUID.randomUUID();
        List<StowResponse.Stored> stored = new ArrayList<>();
        List<StowResponse.Failed> failed = new ArrayList<>();
        Ingestor.Admission admission = studyUid == null ? Ingestor.Admission.ANY : instance -> mismatch(instance, studyUid);
        boolean released = false;
        try {
            MultipartRelated.read(body, boundary, maxInstances, (index, headers, part) -> {
                String ct = headers.get("content-type");
                if (ct != null && !MultipartRelated.parameters(ct).get("").equals("application/dicom")) {
                    part.transferTo(java.io.OutputStream.nullOutputStream());
                    failed.add(new StowResponse.Failed("", "", StowResponse.CANNOT_UNDERSTAND, "part " + index + " is " + printable(ct)
                            + ", not application/dicom"));
                    return;
                }
                InstanceReceiver.Received received = receiver.receive(part, Provenance.stow(client, clock.instant(), session), admission);
                record(index, received.result(), stored, failed);
            });
            released = true;
        } catch (MultipartRelated.MalformedException e) {
            if (stored.isEmpty() && failed.isEmpty()) {
                return StowResponse.refused(400, e.getMessage());
            }
            failed.add(new StowResponse.Failed("", "", StowResponse.CANNOT_UNDERSTAND, "the body broke off: " + e.getMessage()));
        } catch (IOException e) {
            failed.add(new StowResponse.Failed("", "", StowResponse.CANNOT_UNDERSTAND, "the request body could not be read: " + e.getMessage()));
        } finally {
            receiver.ingestor().studies().sessionEnded(session, released, clock.instant());
        }
        if (stored.isEmpty() && failed.isEmpty()) {
            return StowResponse.refused(400, "the request holds no instance");
        }
        return StowResponse.of(stored, failed);
    }

    private static void record(int index, IngestResult result, List<StowResponse.Stored> stored, List<StowResponse.Failed> failed) {
        if (result instanceof IngestResult.AlreadyIngested already) {
            stored.add(new StowResponse.Stored("", already.sopInstanceUid(), null));
            return;
        }
        if (result instanceof IngestResult.Declined declined) {
            failed.add(new StowResponse.Failed("", declined.sopInstanceUid(), StowResponse.DATA_SET_DOES_NOT_MATCH, declined.detail()));
            return;
        }
        if (result instanceof IngestResult.Refused refused) {
            failed.add(new StowResponse.Failed("", "", StowResponse.OUT_OF_RESOURCES, "part " + index + " not stored: " + refused.refusal()
                    + "; send it again later"));
            return;
        }
        ProcessedInstance p = result instanceof IngestResult.Published published ? published.instance()
                : ((IngestResult.RejectedEarly) result).instance();
        String sopClass = p.instance() == null ? nz(p.facts().sopClassUid()) : p.instance().getSopClassUid();
        String sop = nz(p.sopInstanceUid());
        if (p.verdict().verdict() == Verdict.REJECTED) {
            StoreStatus status = IngestingStoreHandler.statusOf(result);
            failed.add(new StowResponse.Failed(sopClass, sop, status.code(), p.verdict().reasonCode() + ": " + p.verdict().reasonDetail()));
        } else {
            stored.add(new StowResponse.Stored(sopClass, sop, p.facts().studyInstanceUid()));
        }
    }

    private static IngestResult.Declined mismatch(ProcessedInstance instance, String studyUid) {
        String actual = instance.facts().studyInstanceUid();
        if (studyUid.equals(actual) || instance.verdict().verdict() == Verdict.REJECTED) {
            return null; // a broken instance is rejected (and dead-lettered) for what it is
        }
        return new IngestResult.Declined(instance.sopInstanceUid(), STUDY_INSTANCE_UID_MISMATCH, "instance " + instance.sopInstanceUid()
                + " belongs to study " + actual + ", not to " + studyUid + " named in the request");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 80 ? clean.substring(0, 80) + "..." : clean;
    }
}
