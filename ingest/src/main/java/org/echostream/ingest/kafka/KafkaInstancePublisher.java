package org.echostream.ingest.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.pipeline.InstancePublisher;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one instance per Kafka transaction: its StudyRecord, StudyStatus, InstanceRecord, clips and dead letter
 * are all visible to read_committed consumers, or none is. Returns only after the commit was acknowledged
 * (acks=all), so the caller may then acknowledge the sender. After a failure the producer is replaced, so
 * that a broker outage ends in refusals, not in a stuck service.
 */
public final class KafkaInstancePublisher implements InstancePublisher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaInstancePublisher.class);

    /**
     * Header naming the process that wrote a study status, so that this process, following the topic for statuses
     * written elsewhere (a command-line import, another replica), skips its own.
     */
    public static final String WRITER_HEADER = "echostream-writer";

    private final KafkaSettings settings;
    private final String transactionalId;
    private final String writer;
    private KafkaProducer<String, byte[]> producer;

    public KafkaInstancePublisher(KafkaSettings settings, String transactionalId) {
        this(settings, transactionalId, transactionalId + "-" + java.util.UUID.randomUUID());
    }

    /** @param writer this process's name in the {@link #WRITER_HEADER} of study statuses */
    public KafkaInstancePublisher(KafkaSettings settings, String transactionalId, String writer) {
        this.settings = settings;
        this.transactionalId = transactionalId;
        this.writer = writer;
    }

    public String writer() {
        return writer;
    }

    @Override
    public synchronized void publish(ProcessedInstance instance, List<StudyStatus> statuses) throws PublishException {
        List<ProducerRecord<String, byte[]>> records = recordsOf(instance);
        records.addAll(statusRecords(statuses));
        transaction(records, "records of instance " + instance.sopInstanceUid());
    }

    @Override
    public synchronized void publishStatuses(List<StudyStatus> statuses) throws PublishException {
        if (!statuses.isEmpty()) {
            transaction(statusRecords(statuses), statuses.size() + " study status(es)");
        }
    }

    private List<ProducerRecord<String, byte[]>> statusRecords(List<StudyStatus> statuses) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (StudyStatus status : statuses) {
            ProducerRecord<String, byte[]> r = record(Topics.STUDY_STATUS, status.getStudyInstanceUid(), status);
            r.headers().add(new RecordHeader(WRITER_HEADER, writer.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            records.add(r);
        }
        return records;
    }

    private void transaction(List<ProducerRecord<String, byte[]>> records, String what) throws PublishException {
        KafkaProducer<String, byte[]> p;
        try {
            p = producer();
        } catch (RuntimeException e) {
            discardProducer();
            throw new PublishException("cannot open a transactional producer to " + settings.bootstrapServers() + ": " + e.getMessage(), e);
        }
        try {
            p.beginTransaction();
            for (ProducerRecord<String, byte[]> r : records) {
                p.send(r);
            }
            p.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            discardProducer(); // fatal for this producer: another instance took the transactional id, or the broker refuses
            throw new PublishException("transaction " + transactionalId + " cannot continue: " + e.getMessage(), e);
        } catch (KafkaException e) {
            try {
                p.abortTransaction();
            } catch (RuntimeException abortFailed) {
                discardProducer();
            }
            throw new PublishException(what + " not published within " + settings.publishTimeout().toSeconds() + " s: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // e.g. IllegalStateException after a timed-out commit: this producer's transaction state is unknown
            discardProducer();
            throw new PublishException(what + " not published: " + e, e);
        }
    }

    static List<ProducerRecord<String, byte[]>> recordsOf(ProcessedInstance instance) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        if (instance.study() != null) {
            records.add(record(Topics.STUDIES, instance.study().getStudyInstanceUid(), instance.study()));
        }
        if (instance.instance() != null) {
            records.add(record(Topics.INSTANCES, instance.instance().getSopInstanceUid(), instance.instance()));
        }
        for (Clip clip : instance.clips()) {
            records.add(record(Topics.CLIPS, clip.getRef().getSeriesInstanceUid(), clip));
        }
        DeadLetter letter = instance.deadLetter();
        if (letter != null) {
            String key = letter.getSopInstanceUid() != null ? letter.getSopInstanceUid() : letter.getPayloadSha256();
            records.add(record(Topics.DLQ_INGEST, key, letter));
        }
        return records;
    }

    private static <V extends SpecificRecordBase> ProducerRecord<String, byte[]> record(Topic<String, V> topic, String key, V value) {
        return new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> created = new KafkaProducer<>(settings.transactionalProducer(transactionalId));
            try {
                created.initTransactions(); // also aborts what a previous holder of this id left open
            } catch (KafkaException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private void discardProducer() {
        if (producer != null) {
            try {
                producer.close(Duration.ZERO);
            } catch (KafkaException e) {
                LOG.debug("closing a failed producer: {}", e.getMessage());
            }
            producer = null;
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }
}
