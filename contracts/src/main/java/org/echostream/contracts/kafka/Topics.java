package org.echostream.contracts.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;

/**
 * The topic catalogue: every topic echostream uses, in one place. The local admin step creates them,
 * the Kubernetes build renders them as Strimzi {@code KafkaTopic}s, and tests compare the two.
 *
 * <p>Keys are UIDs: clip-level topics are keyed by Series Instance UID so that every clip of a series
 * lands on one partition, in order, and one stream task sees the whole series.
 */
public final class Topics {

    /** Room for larger models' token tensors (ViT-L at 224 px, float16) on the clip-level topics. */
    private static final String LARGE_RECORD_BYTES = String.valueOf(8 * 1024 * 1024);
    private static final int STREAM_PARTITIONS = 6;

    private static final Serde<String> UID = Serdes.String();

    public static final Topic<String, StudyRecord> STUDIES = new Topic<>(
            "echostream.studies.v1", UID, AvroSerde.of(StudyRecord.class), StudyRecord.class, 3,
            compacted(), true,
            "Study metadata for the worklist, the only topic with patient identifiers; key Study Instance UID.");

    public static final Topic<String, StudyStatus> STUDY_STATUS = new Topic<>(
            "echostream.study-status.v1", UID, AvroSerde.of(StudyStatus.class), StudyStatus.class, 3,
            compacted(), false,
            "Whether each study is complete (PROVISIONAL or FINAL, with a version); key Study Instance UID.");

    public static final Topic<String, InstanceRecord> INSTANCES = new Topic<>(
            "echostream.instances.v1", UID, AvroSerde.of(InstanceRecord.class), InstanceRecord.class, 3,
            compacted(), false,
            "Every received instance and its verdict; the ledger for resumable imports; key SOP Instance UID.");

    public static final Topic<String, Clip> CLIPS = new Topic<>(
            "echostream.clips.v1", UID, AvroSerde.of(Clip.class), Clip.class, STREAM_PARTITIONS,
            retained(Duration.ofDays(3), LARGE_RECORD_BYTES), false,
            "Model-resolution clips (uint8 pixels, claim-check to the original); key Series Instance UID.");

    public static final Topic<String, ClipLatents> LATENTS = new Topic<>(
            "echostream.latents.v1", UID, AvroSerde.of(ClipLatents.class), ClipLatents.class, STREAM_PARTITIONS,
            retained(Duration.ofDays(30), LARGE_RECORD_BYTES), false,
            "Observed and predicted-next latent tokens per clip; key Series Instance UID.");

    public static final Topic<String, ClipSurprise> SURPRISE = new Topic<>(
            "echostream.surprise.v1", UID, AvroSerde.of(ClipSurprise.class), ClipSurprise.class, STREAM_PARTITIONS,
            retained(Duration.ofDays(90), null), false,
            "Per-clip surprise with the per-token map; key Series Instance UID.");

    public static final Topic<String, AnomalyEvent> ANOMALY_EVENTS = new Topic<>(
            "echostream.anomaly-events.v1", UID, AvroSerde.of(AnomalyEvent.class), AnomalyEvent.class, STREAM_PARTITIONS,
            retained(Duration.ofDays(3650), null), false,
            "Anomaly events with time range and region; key Series Instance UID.");

    public static final Topic<String, SeriesSummary> SERIES_SUMMARIES = new Topic<>(
            "echostream.series-summaries.v1", UID, AvroSerde.of(SeriesSummary.class), SeriesSummary.class, STREAM_PARTITIONS,
            compacted(), false,
            "Latest continuous anomaly score per series; key Series Instance UID.");

    public static final Topic<String, JobCommand> JOB_COMMANDS = new Topic<>(
            "echostream.job-commands.v1", UID, AvroSerde.of(JobCommand.class), JobCommand.class, 1,
            retained(Duration.ofDays(30), null), false,
            "Batch job requests from the API to ingest; key job id.");

    public static final Topic<String, JobStatus> JOB_STATUS = new Topic<>(
            "echostream.job-status.v1", UID, AvroSerde.of(JobStatus.class), JobStatus.class, 1,
            compacted(), false,
            "Latest progress of each batch job (also the resume cursor); key job id.");

    public static final Topic<String, AuditRecord> AUDIT = new Topic<>(
            "echostream.audit.v1", UID, AvroSerde.of(AuditRecord.class), AuditRecord.class, 3,
            retained(Duration.ofDays(6 * 366), null), false,
            "Every access to patient data through the API and every STOW-RS attempt, allowed or denied; key event id.");

    public static final Topic<String, FindingsDelivery> FINDINGS_DELIVERIES = new Topic<>(
            "echostream.findings-deliveries.v1", UID, AvroSerde.of(FindingsDelivery.class), FindingsDelivery.class, 3,
            compacted(), false,
            "Where each study's findings (DICOM SR and KOS) stand at the PACS, per result version; key Study Instance UID.");

    /**
     * Clinicians' answers per series (whole history in each record, so compaction keeps it). Patient data: the
     * free-text comment may name anyone.
     */
    public static final Topic<String, SeriesFeedback> FEEDBACK = new Topic<>(
            "echostream.feedback.v1", UID, AvroSerde.of(SeriesFeedback.class), SeriesFeedback.class, 3,
            compacted(), true,
            "Clinicians' agree/disagree/uncertain answers, coded findings and comments on series and events; key Series Instance UID.");

    public static final Topic<String, DeadLetter> DLQ_INGEST = deadLetters("ingest");
    public static final Topic<String, DeadLetter> DLQ_EMBEDDER = deadLetters("embedder");
    public static final Topic<String, DeadLetter> DLQ_ANOMALY = deadLetters("anomaly");
    public static final Topic<String, DeadLetter> DLQ_API = deadLetters("api");
    public static final Topic<String, DeadLetter> DLQ_FINDINGS = deadLetters("findings");

    private static final List<Topic<?, ?>> ALL = List.of(
            STUDIES, STUDY_STATUS, INSTANCES, CLIPS, LATENTS, SURPRISE, ANOMALY_EVENTS, SERIES_SUMMARIES,
            JOB_COMMANDS, JOB_STATUS, AUDIT, FINDINGS_DELIVERIES, FEEDBACK, DLQ_INGEST, DLQ_EMBEDDER, DLQ_ANOMALY, DLQ_API, DLQ_FINDINGS);

    private Topics() {
    }

    /** Every topic of the catalogue, in a stable order. */
    public static List<Topic<?, ?>> all() {
        return ALL;
    }

    public static Optional<Topic<?, ?>> byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The dead-letter topic of one service. */
    public static Topic<String, DeadLetter> deadLettersOf(String service) {
        return switch (service) {
            case "ingest" -> DLQ_INGEST;
            case "embedder" -> DLQ_EMBEDDER;
            case "anomaly" -> DLQ_ANOMALY;
            case "api" -> DLQ_API;
            case "findings" -> DLQ_FINDINGS;
            default -> throw new IllegalArgumentException("no dead-letter topic for service '" + service + "'");
        };
    }

    private static Topic<String, DeadLetter> deadLetters(String service) {
        return new Topic<>("echostream.dlq." + service + ".v1", UID, AvroSerde.of(DeadLetter.class), DeadLetter.class, 1,
                retained(Duration.ofDays(30), null), false,
                "What " + service + " refused, with the reason; key the source record's key or the SOP Instance UID.");
    }

    private static Map<String, String> compacted() {
        return Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", String.valueOf(Duration.ofMinutes(1).toMillis()));
    }

    private static Map<String, String> retained(Duration retention, String maxMessageBytes) {
        return maxMessageBytes == null
                ? Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(retention.toMillis()))
                : Map.of("cleanup.policy", "delete", "retention.ms", String.valueOf(retention.toMillis()),
                        "max.message.bytes", maxMessageBytes);
    }
}
