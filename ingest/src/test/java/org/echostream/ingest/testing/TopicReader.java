package org.echostream.ingest.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.TopicReplay;

/** Reads every committed record of a topic (from the beginning to the current end) and keeps those a test asks for. */
public final class TopicReader {

    /** A record's key and decoded value. */
    public record Keyed<V>(String key, V value) {
    }

    private TopicReader() {
    }

    public static <V extends SpecificRecordBase> List<Keyed<V>> read(String bootstrap, Topic<String, V> topic, Predicate<Keyed<V>> keep) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<Keyed<V>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            TopicReplay.replay(consumer, List.of(topic.name()), Duration.ofSeconds(30), r -> {
                String key = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                V value = r.value() == null ? null : topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
                Keyed<V> keyed = new Keyed<>(key, value);
                if (keep.test(keyed)) {
                    out.add(keyed);
                }
            }).requireComplete();
        }
        return out;
    }
}
