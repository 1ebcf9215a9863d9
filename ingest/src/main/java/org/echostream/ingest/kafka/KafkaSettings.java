package org.echostream.ingest.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.kafka.KafkaClientSettings;

/**
 * How ingest talks to the broker: where it is, how to connect (TLS or SASL settings given as {@code kafka.*}), and how
 * long a publish may take before the instance is refused (the sender then retries; nothing is acknowledged that is not
 * durable).
 *
 * @param connection Quarkus' {@code default-kafka-broker} map ({@code kafka.*} without the prefix); only its
 *                   connection settings are used ({@link KafkaClientSettings})
 */
public record KafkaSettings(String bootstrapServers, Duration publishTimeout, Map<String, Object> connection) {

    public KafkaSettings {
        connection = Map.copyOf(connection);
    }

    /** Plaintext to the given brokers (tests, the local run). */
    public KafkaSettings(String bootstrapServers, Duration publishTimeout) {
        this(bootstrapServers, publishTimeout, Map.of());
    }

    /** Clips and their records fit well below the clip topic's 8 MiB record limit. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    /** A transactional, idempotent producer: acks=all, no batching delay (one instance is one small transaction). */
    Map<String, Object> transactionalProducer(String transactionalId) {
        Map<String, Object> c = producer();
        c.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return c;
    }

    Map<String, Object> producer() {
        int timeout = (int) publishTimeout.toMillis();
        Map<String, Object> c = KafkaClientSettings.with(connection, Map.of());
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1000, timeout / 2));
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return c;
    }

    /** A consumer that reads committed records only; values as bytes, decoded (or refused as poison) by the caller. */
    Map<String, Object> consumer(String groupId) {
        Map<String, Object> c = KafkaClientSettings.with(connection, Map.of());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        if (groupId != null) {
            c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        }
        return c;
    }
}
