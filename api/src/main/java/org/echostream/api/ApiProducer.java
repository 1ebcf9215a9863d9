package org.echostream.api;

import io.smallrye.common.annotation.Identifier;
import org.echostream.contracts.kafka.KafkaClientSettings;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.kafka.Topic;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The api's one Kafka producer (audit records, job commands, dead letters): idempotent, acks=all, values
 * encoded with each topic's serde from the catalogue.
 */
@Singleton
class ApiProducer {

    private final KafkaProducer<String, byte[]> producer;

    ApiProducer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap, ApiConfig config,
                @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        long delivery = config.api().audit().deliveryTimeout().toMillis();
        this.producer = new KafkaProducer<>(KafkaClientSettings.with(kafka, Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "echostream-api",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                // Audit records are small and should be on the broker promptly, not batched for 100 ms.
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(delivery, Duration.ofSeconds(30).toMillis()),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000)),
                new StringSerializer(), new ByteArraySerializer());
    }

    <V> Future<RecordMetadata> send(Topic<String, V> topic, String key, V value, Callback callback) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return producer.send(new ProducerRecord<>(topic.name(), key, bytes), callback);
    }

    /** An already encoded value (the audit backlog keeps records as their topic bytes). */
    Future<RecordMetadata> sendEncoded(Topic<String, ?> topic, String key, byte[] value, Callback callback) {
        return producer.send(new ProducerRecord<>(topic.name(), key, value), callback);
    }

    void onStop(@Observes ShutdownEvent event) {
        producer.close(Duration.ofSeconds(10));
    }
}
