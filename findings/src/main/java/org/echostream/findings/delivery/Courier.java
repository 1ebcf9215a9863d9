package org.echostream.findings.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.findings.report.DerivedUids;
import org.echostream.findings.report.DocumentKind;
import org.echostream.findings.report.Findings;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.report.SrDocument;
import org.echostream.findings.study.StudyResult;

/**
 * Takes one ready result to the destination: decides with the {@link DeliveryPolicy} from the study's latest
 * delivery record, builds and encodes the SR and KOS, records SENDING (durably, before anything leaves), sends,
 * and records the outcome: DELIVERED, RETRYING with the next attempt's time, or FAILED with a dead letter.
 *
 * <p>Never throws for what the destination or the data do; a failure to record only postpones the send.
 */
public final class Courier {

    private final FindingsBuilder builder;
    private final DocumentEncoder encoder;
    private final Transport transport;
    private final DeliveryLog log;
    private final DeliveryLedger ledger;
    private final DeliveryPolicy policy;
    private final String destination;
    private final DeadLetters deadLetters;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    public Courier(FindingsBuilder builder, DocumentEncoder encoder, Transport transport, DeliveryLog log, DeliveryLedger ledger,
                   DeliveryPolicy policy, String destination, DeliveryMetrics metrics, Clock clock) {
        this.builder = builder;
        this.encoder = encoder;
        this.transport = transport;
        this.log = log;
        this.ledger = ledger;
        this.policy = policy;
        this.destination = destination;
        this.deadLetters = new DeadLetters("findings", clock);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The decision alone, without acting on it (for deciding which studies are due). */
    public Decision decide(StudyResult result) {
        return policy.decide(result.resultVersion(), destination, ledger.latest(result.studyInstanceUid()), clock.instant());
    }

    public Attempt deliver(StudyResult result) {
        Decision decision = decide(result);
        String study = result.studyInstanceUid();
        String version = result.resultVersion();
        String srUid = DerivedUids.srInstance(study, version);
        if (decision instanceof Decision.Exhausted exhausted) {
            String detail = "destination " + destination + " (" + transport.describe() + "): " + exhausted.attempts()
                    + " attempts for result version " + version + " began and none ended; giving up on this version";
            return fail(result, exhausted.attempts(), srUid, null, Optional.empty(), "ATTEMPTS_EXHAUSTED", detail);
        }
        if (!(decision instanceof Decision.Send send)) {
            if (decision instanceof Decision.AlreadyDelivered) {
                metrics.alreadyDelivered();
            }
            return new Attempt.Skipped(decision);
        }
        Optional<SrDocument.DocumentRef> predecessor = send.supersedes()
                .map(uid -> new SrDocument.DocumentRef(DerivedUids.srSeries(study), DocumentKind.COMPREHENSIVE_SR.sopClassUid(), uid));
        Findings findings;
        List<EncodedDocument> documents = new ArrayList<>();
        try {
            findings = builder.build(result, predecessor);
            documents.add(encoder.encode(findings.report()));
            findings.keyImages().ifPresent(k -> documents.add(encoder.encode(k)));
        } catch (RuntimeException e) {
            // A value no document can hold (the book refuses most of them on input): this version cannot be sent at all.
            return fail(result, send.attempt(), srUid, null, send.supersedes(), "DOCUMENT_NOT_BUILT",
                    "study " + study + ", result version " + version + ": the SR could not be built (" + e.getMessage() + ")");
        }
        String kosUid = findings.keyImages().map(SrDocument::sopInstanceUid).orElse(null);
        FindingsDelivery.Builder record = FindingsDelivery.newBuilder()
                .setStudyInstanceUid(study).setResultVersion(version).setStudyStatusVersion(result.status().getVersion())
                .setDestination(destination).setTransport(transport.kind()).setSrSopInstanceUid(srUid).setKosSopInstanceUid(kosUid)
                .setSupersedesSrSopInstanceUid(send.supersedes().orElse(null)).setSeriesReported(result.series().size())
                .setSeriesFlagged(result.flaggedSeries().size()).setInstancesReferenced(result.instanceCount()).setAttempts(send.attempt());
        try {
            write(record.setState(DeliveryState.SENDING).setReasonCode(null).setReasonDetail(null).setNextAttemptAt(null)
                    .setUpdatedAt(clock.instant()).build());
        } catch (DeliveryLog.DeliveryLogException e) {
            return new Attempt.NotRecorded(e.getMessage());
        }
        Instant started = clock.instant();
        SendOutcome outcome = transport.send(study, documents);
        Instant now = clock.instant();
        try {
            if (outcome instanceof SendOutcome.Stored) {
                write(record.setState(DeliveryState.DELIVERED).setUpdatedAt(now).build());
                metrics.delivered(transport.kind(), Duration.between(started, now));
                return new Attempt.Delivered(srUid, send.attempt());
            }
            if (outcome instanceof SendOutcome.Transient t && send.attempt() < policy.maxAttempts()) {
                Instant next = policy.nextAttemptAt(send.attempt(), now);
                write(record.setState(DeliveryState.RETRYING).setReasonCode(t.reasonCode()).setReasonDetail(t.detail())
                        .setNextAttemptAt(next).setUpdatedAt(now).build());
                metrics.retrying(t.reasonCode());
                return new Attempt.Retrying(t.reasonCode(), next);
            }
            if (outcome instanceof SendOutcome.Transient t) {
                return fail(result, send.attempt(), srUid, kosUid, send.supersedes(), t.reasonCode(),
                        t.detail() + " (attempt " + send.attempt() + " of " + policy.maxAttempts() + ", giving up on this result version)");
            }
            SendOutcome.Refused refused = (SendOutcome.Refused) outcome;
            return fail(result, send.attempt(), srUid, kosUid, send.supersedes(), refused.reasonCode(), refused.detail());
        } catch (DeliveryLog.DeliveryLogException e) {
            // The documents may have arrived; the SENDING record stays the latest, so the next start sends them again
            // under the same SOP Instance UIDs, which the PACS stores once.
            return new Attempt.NotRecorded(e.getMessage());
        }
    }

    private Attempt fail(StudyResult result, int attempts, String srUid, String kosUid, Optional<String> supersedes, String code, String detail) {
        FindingsDelivery failed = FindingsDelivery.newBuilder()
                .setStudyInstanceUid(result.studyInstanceUid()).setResultVersion(result.resultVersion())
                .setStudyStatusVersion(result.status().getVersion()).setDestination(destination).setTransport(transport.kind())
                .setState(DeliveryState.FAILED).setSrSopInstanceUid(srUid).setKosSopInstanceUid(kosUid)
                .setSupersedesSrSopInstanceUid(supersedes.orElse(null)).setSeriesReported(result.series().size())
                .setSeriesFlagged(result.flaggedSeries().size()).setInstancesReferenced(result.instanceCount()).setAttempts(attempts)
                .setReasonCode(code).setReasonDetail(detail).setNextAttemptAt(null).setUpdatedAt(clock.instant())
                .build();
        try {
            write(failed);
        } catch (DeliveryLog.DeliveryLogException e) {
            return new Attempt.NotRecorded(e.getMessage());
        }
        DeadLetter letter = deadLetters.forSource(sourceKind(), code, detail)
                .setSourceKey(result.studyInstanceUid()).setSopInstanceUid(srUid).setSourceUri(null)
                .build();
        log.deadLetter(letter);
        metrics.failed(code);
        return new Attempt.Failed(code, detail);
    }

    private void write(FindingsDelivery delivery) {
        log.record(delivery);
        ledger.apply(delivery.getStudyInstanceUid(), delivery);
    }

    private String sourceKind() {
        return switch (transport.kind()) {
            case "DIMSE" -> "DICOM_ASSOCIATION";
            case "STOW_RS" -> "HTTP";
            default -> "FILE";
        };
    }
}
