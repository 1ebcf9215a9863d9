package org.echostream.ingest.kafka;

import java.time.Duration;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.kafka.Topics;

/**
 * Sends audit records of STOW-RS attempts to the audit topic with a producer of their own (the instance producer is
 * transactional and busy with instances). Asynchronous: the outcome of each send comes to {@code onDone}.
 */
public final class AuditPublisher implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer;

    public AuditPublisher(KafkaSettings settings) {
        this.producer = new KafkaProducer<>(settings.producer());
    }

    /** @param onDone called with the record and null once the broker acknowledged it, or with the error */
    public void send(AuditRecord record, BiConsumer<AuditRecord, Exception> onDone) {
        byte[] value = Topics.AUDIT.valueSerde().serializer().serialize(Topics.AUDIT.name(), record);
        try {
            producer.send(new ProducerRecord<>(Topics.AUDIT.name(), record.getEventId(), value), (meta, error) -> onDone.accept(record, error));
        } catch (RuntimeException e) {
            onDone.accept(record, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
