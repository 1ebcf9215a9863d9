package org.echostream.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.echostream.kafka.local.SharedLocalKafka;

/** Reads the real audit and dead-letter topics from the start, to find what one request or record produced. */
final class AuditLog {

    private AuditLog() {
    }

    /** A request id no other request uses: the audit record carries it back. */
    static String newRequestId() {
        return "t-" + UUID.randomUUID();
    }

    static AuditRecord forRequest(String requestId) {
        return await(Topics.AUDIT, r -> requestId.equals(r.getRequestId()), "audit record for request " + requestId);
    }

    static DeadLetter deadLetter(java.util.function.Predicate<DeadLetter> match, String what) {
        return await(Topics.DLQ_API, match, what);
    }

    static <V> V await(Topic<String, V> topic, java.util.function.Predicate<V> match, String what) {
        return await(SharedLocalKafka.bootstrapServers(), topic, match, what);
    }

    static <V> V await(String bootstrap, Topic<String, V> topic, java.util.function.Predicate<V> match, String what) {
        Instant deadline = Instant.now().plusSeconds(20);
        // Avro resolves record classes through the context class loader; under @QuarkusTest it must be the test's.
        Thread.currentThread().setContextClassLoader(AuditLog.class.getClassLoader());
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name()).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (Instant.now().isBefore(deadline)) {
                for (var record : consumer.poll(Duration.ofMillis(300))) {
                    V value = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
                    if (match.test(value)) {
                        return value;
                    }
                }
            }
        }
        throw new AssertionError("no " + what + " on " + topic.name() + " within 20 s");
    }

    /** Polls until the supplier gives a value, or fails naming what was awaited. */
    static <T> T eventually(String what, java.util.function.Supplier<Optional<T>> probe) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + " did not happen within 20 s");
    }
}
