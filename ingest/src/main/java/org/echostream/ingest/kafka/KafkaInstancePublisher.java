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
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.pipeline.InstancePublisher;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one instance per Kafka transaction: its StudyRecord, InstanceRecord, clips and dead letter are
 * all visible to read_committed consumers, or none is. Returns only after the commit was acknowledged
 * (acks=all), so the caller may then acknowledge the sender. After a failure the producer is replaced, so
 * that a broker outage ends in refusals, not in a stuck service.
 */
public final class KafkaInstancePublisher implements InstancePublisher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaInstancePublisher.class);

    private final KafkaSettings settings;
    private final String transactionalId;
    private KafkaProducer<String, byte[]> producer;

    public KafkaInstancePublisher(KafkaSettings settings, String transactionalId) {
        this.settings = settings;
        this.transactionalId = transactionalId;
    }

    @Override
    public synchronized void publish(ProcessedInstance instance) throws PublishException {
        List<ProducerRecord<String, byte[]>> records = recordsOf(instance);
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
            throw new PublishException("records of instance " + instance.sopInstanceUid() + " not published within "
                    + settings.publishTimeout().toSeconds() + " s: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // e.g. IllegalStateException after a timed-out commit: this producer's transaction state is unknown
            discardProducer();
            throw new PublishException("records of instance " + instance.sopInstanceUid() + " not published: " + e, e);
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
