package org.echostream.findings.desk;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.delivery.Attempt;
import org.echostream.findings.delivery.Courier;
import org.echostream.findings.delivery.Decision;
import org.echostream.findings.delivery.DeliveryLedger;
import org.echostream.findings.study.Applied;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;

/**
 * The service's core loop, without Kafka: records in ({@link #apply}), due studies out to the {@link Courier}
 * ({@link #work}). The feed applies every record from the start of each topic before it calls {@link #work}
 * for the first time, so a restart sees every earlier delivery before it decides anything.
 *
 * <p>Only studies touched by a record, settling, or waiting for a retry are looked at; one that waits for
 * something (a summary, the FINAL status) is looked at again when a record touches it.
 */
public final class FindingsDesk {

    /** After the deliveries topic could not be written, wait this long before the study's next try. */
    private static final Duration AFTER_LOG_FAILURE = Duration.ofSeconds(5);

    private static final AvroSerde<StudyRecord> STUDIES = AvroSerde.of(StudyRecord.class);
    private static final AvroSerde<StudyStatus> STATUSES = AvroSerde.of(StudyStatus.class);
    private static final AvroSerde<InstanceRecord> INSTANCES = AvroSerde.of(InstanceRecord.class);
    private static final AvroSerde<SeriesSummary> SUMMARIES = AvroSerde.of(SeriesSummary.class);
    private static final AvroSerde<AnomalyEvent> EVENTS = AvroSerde.of(AnomalyEvent.class);
    private static final AvroSerde<FindingsDelivery> DELIVERIES = AvroSerde.of(FindingsDelivery.class);

    /** The topics the desk reads, in no particular order. */
    public static final List<String> TOPICS = List.of(Topics.STUDIES.name(), Topics.STUDY_STATUS.name(), Topics.INSTANCES.name(),
            Topics.SERIES_SUMMARIES.name(), Topics.ANOMALY_EVENTS.name(), Topics.FINDINGS_DELIVERIES.name());

    /** What happened to one study in {@link #work}. */
    public record Handled(String studyInstanceUid, String resultVersion, Attempt attempt) {
    }

    private final StudyBook book;
    private final DeliveryLedger ledger;
    private final Courier courier;
    private final Duration settle;
    private final Clock clock;
    private final Set<String> pending = new LinkedHashSet<>();
    private final Map<String, Instant> notBefore = new HashMap<>();
    private long nothingToReport;
    private boolean live;

    public FindingsDesk(StudyBook book, DeliveryLedger ledger, Courier courier, Duration settle, Clock clock) {
        this.book = book;
        this.ledger = ledger;
        this.courier = courier;
        this.settle = settle;
        this.clock = clock;
    }

    /** Decodes and applies one record of one of {@link #TOPICS}; poison comes back as {@link Applied.Invalid}. */
    public Applied apply(String topic, byte[] keyBytes, byte[] value) {
        String key = keyBytes == null ? null : new String(keyBytes, StandardCharsets.UTF_8);
        Instant now = clock.instant();
        Applied applied;
        if (topic.equals(Topics.STUDIES.name())) {
            applied = decoded(STUDIES, value, v -> book.applyStudy(key, v, now));
        } else if (topic.equals(Topics.STUDY_STATUS.name())) {
            applied = decoded(STATUSES, value, v -> book.applyStatus(key, v, now));
        } else if (topic.equals(Topics.INSTANCES.name())) {
            applied = decoded(INSTANCES, value, v -> book.applyInstance(key, v, now));
        } else if (topic.equals(Topics.SERIES_SUMMARIES.name())) {
            applied = decoded(SUMMARIES, value, v -> book.applySummary(key, v, now));
        } else if (topic.equals(Topics.ANOMALY_EVENTS.name())) {
            applied = decoded(EVENTS, value, v -> book.applyEvent(key, v, now));
        } else if (topic.equals(Topics.FINDINGS_DELIVERIES.name())) {
            applied = decoded(DELIVERIES, value, v -> {
                if (v != null && !v.getStudyInstanceUid().equals(key)) {
                    return new Applied.Invalid("KEY_MISMATCH", "FindingsDelivery keyed '" + key + "' names study " + v.getStudyInstanceUid());
                }
                if (live) {
                    // This service is the topic's only writer and already applied what it wrote; a record read back
                    // now may be older than the ledger's (SENDING arriving after DELIVERED was applied).
                    return new Applied.Ignored("own delivery record read back");
                }
                ledger.apply(key, v);
                return new Applied.Ignored("delivery record");
            });
        } else {
            applied = new Applied.Ignored("not a topic of this service: " + topic);
        }
        if (applied instanceof Applied.Stored stored) {
            pending.add(stored.studyInstanceUid());
            notBefore.remove(stored.studyInstanceUid());
        }
        return applied;
    }

    /**
     * Called once every topic was read up to the end offsets it had at start: from now on the ledger holds every
     * earlier delivery, and {@link #work} may send.
     */
    public void caughtUp() {
        live = true;
    }

    /** Assesses every study that may be due and delivers those that are; returns what was tried. */
    public List<Handled> work() {
        if (!live) {
            throw new IllegalStateException("work() before caughtUp(): a delivery could be repeated because earlier ones are not read yet");
        }
        List<Handled> handled = new ArrayList<>();
        Instant now = clock.instant();
        for (String study : List.copyOf(pending)) {
            Instant wait = notBefore.get(study);
            if (wait != null && now.isBefore(wait)) {
                continue;
            }
            Assessment assessment = book.assess(study, now, settle);
            if (assessment instanceof Assessment.Settling settling) {
                notBefore.put(study, settling.until());
                continue;
            }
            if (!(assessment instanceof Assessment.Ready ready)) {
                if (assessment instanceof Assessment.NothingToReport) {
                    nothingToReport++;
                }
                done(study);
                continue;
            }
            Attempt attempt = courier.deliver(ready.result());
            if (attempt instanceof Attempt.Retrying retrying) {
                notBefore.put(study, retrying.nextAttemptAt());
            } else if (attempt instanceof Attempt.Skipped skipped && skipped.decision() instanceof Decision.RetryAt at) {
                notBefore.put(study, at.at());
            } else if (attempt instanceof Attempt.NotRecorded) {
                notBefore.put(study, now.plus(AFTER_LOG_FAILURE));
            } else {
                done(study);
            }
            if (!(attempt instanceof Attempt.Skipped)) {
                handled.add(new Handled(study, ready.result().resultVersion(), attempt));
            }
        }
        return handled;
    }

    /** Studies that may become due without another record: settling, or waiting for a retry. */
    public int pending() {
        return pending.size();
    }

    public int studies() {
        return book.studyCount();
    }

    public int deliveriesKnown() {
        return ledger.size();
    }

    /** FINAL studies found with no scored instance, since start. */
    public long nothingToReport() {
        return nothingToReport;
    }

    /** Assessment of one study now, for the health and status views. */
    public Assessment assess(String study) {
        return book.assess(study, clock.instant(), settle);
    }

    private void done(String study) {
        pending.remove(study);
        notBefore.remove(study);
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> Applied decoded(AvroSerde<T> serde, byte[] value,
                                                                                       java.util.function.Function<T, Applied> apply) {
        if (value == null) {
            return apply.apply(null); // a tombstone on a compacted topic
        }
        DecodeResult<T> result = DecodeResult.decode(serde, value);
        if (result instanceof DecodeResult.Poison<T> poison) {
            return new Applied.Invalid(poison.reasonCode(), poison.reasonDetail());
        }
        return apply.apply(((DecodeResult.Decoded<T>) result).value());
    }
}
