package org.echostream.ingest.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.JobState;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.pacs.Backfill;
import org.echostream.ingest.pipeline.FolderImport;
import org.echostream.ingest.pipeline.ImportProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the progress of batch jobs on the compacted job-status topic (latest value = the job's state)
 * and the dead letters of job commands that cannot be read. Progress is best effort: a status that cannot
 * be sent is logged, the import goes on, and the next status replaces it.
 */
public final class JobStatusPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobStatusPublisher.class);

    private final KafkaProducer<String, byte[]> producer;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final Duration timeout;

    public JobStatusPublisher(KafkaSettings settings, Clock clock) {
        this.producer = new KafkaProducer<>(settings.producer());
        this.deadLetters = new DeadLetters("ingest", clock);
        this.clock = clock;
        this.timeout = settings.publishTimeout();
    }

    /** A status for a job at a point of its life. */
    public static JobStatus status(String jobId, String kind, JobState state, ImportProgress p, String message, Instant startedAt,
                                   Instant now) {
        JobStatus.Builder b = JobStatus.newBuilder()
                .setJobId(jobId).setKind(kind).setState(state).setMessage(message).setStartedAt(startedAt).setUpdatedAt(now);
        if (p != null) {
            b.setTotal(p.total()).setIngested(p.ingested()).setSkipped(p.skipped()).setRejected(p.rejected())
                    .setRejectedByReason(p.rejectedByReason()).setBytes(p.bytes())
                    .setItemsPerSecond(p.filesPerSecond()).setEtaSeconds(p.etaSeconds());
        }
        return b.build();
    }

    /** A backfill's status: counts, studies, rate, ETA and the resume cursor. */
    public static JobStatus status(String jobId, JobState state, Backfill.Progress p, String message, Instant startedAt, Instant now) {
        JobStatus.Builder b = JobStatus.newBuilder()
                .setJobId(jobId).setKind(org.echostream.contracts.jobs.BackfillParameters.KIND).setState(state).setMessage(message)
                .setStartedAt(startedAt).setUpdatedAt(now);
        if (p != null) {
            var t = p.tally();
            b.setTotal(p.instancesTotal()).setIngested(t.ingested()).setSkipped(t.skipped()).setRejected(t.rejected())
                    .setRejectedByReason(t.rejectedByReason()).setFailed(t.failed()).setFailedByReason(t.failedByReason()).setBytes(t.bytes())
                    .setStudiesTotal(p.studiesTotal()).setStudiesDone(t.studiesDone()).setItemsPerSecond(p.instancesPerSecond())
                    .setEtaSeconds(p.etaSeconds()).setCursor(p.cursor());
        }
        return b.build();
    }

    public static JobState stateOf(Backfill.Ending ending) {
        return switch (ending) {
            case SUCCEEDED -> JobState.SUCCEEDED;
            case FAILED -> JobState.FAILED;
            case CANCELLED -> JobState.CANCELLED;
        };
    }

    /** A dead letter that did not come from a Kafka record (a failed retrieval), acknowledged before it returns. */
    public void deadLetter(DeadLetter letter) {
        var target = deadLetters.toProducerRecord(letter);
        byte[] value = deadLetters.topic().valueSerde().serializer().serialize(target.topic(), letter);
        try {
            producer.send(new ProducerRecord<>(target.topic(), target.key(), value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new KafkaException("dead letter " + letter.getReasonCode() + " not published: " + e.getMessage(), e);
        }
    }

    public static JobState stateOf(FolderImport.Ending ending) {
        return switch (ending) {
            case SUCCEEDED -> JobState.SUCCEEDED;
            case FAILED -> JobState.FAILED;
            case CANCELLED -> JobState.CANCELLED;
        };
    }

    /** @return whether the broker acknowledged it */
    public boolean publish(JobStatus status) {
        byte[] value = Topics.JOB_STATUS.valueSerde().serializer().serialize(Topics.JOB_STATUS.name(), status);
        try {
            producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), status.getJobId(), value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            LOG.warn("job {}: status {} not published: {}", status.getJobId(), status.getState(), e.getMessage());
            return false;
        }
    }

    /** A job command that cannot be read goes to ingest's dead-letter topic, referenced, not copied. */
    public void deadLetter(ConsumerRecord<byte[], byte[]> record, String reasonCode, String reasonDetail) {
        DeadLetter letter = deadLetters.forRecord(record, reasonCode, reasonDetail);
        var target = deadLetters.toProducerRecord(letter);
        byte[] value = deadLetters.topic().valueSerde().serializer().serialize(target.topic(), letter);
        try {
            producer.send(new ProducerRecord<>(target.topic(), target.key(), value)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new KafkaException("dead letter for " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + " not published: " + e.getMessage(), e);
        }
    }

    public Instant now() {
        return clock.instant();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
