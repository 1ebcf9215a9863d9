package org.echostream.findings.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.kafka.TopicReplay;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topics;

/** An echo study's records onto the real broker, keyed as the catalogue says, and topics read back. */
public final class TopicFixture {

    private TopicFixture() {
    }

    public static void produce(String bootstrap, EchoStudy echo) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            p.send(new ProducerRecord<>(Topics.STUDIES.name(), echo.study, AvroSerde.of(org.echostream.contracts.StudyRecord.class).encode(echo.record)));
            var instances = AvroSerde.of(org.echostream.contracts.InstanceRecord.class);
            echo.instances.forEach(i -> p.send(new ProducerRecord<>(Topics.INSTANCES.name(), i.getSopInstanceUid(), instances.encode(i))));
            var summaries = AvroSerde.of(org.echostream.contracts.SeriesSummary.class);
            echo.summaries.forEach(s -> p.send(new ProducerRecord<>(Topics.SERIES_SUMMARIES.name(), s.getSeriesInstanceUid(), summaries.encode(s))));
            var events = AvroSerde.of(org.echostream.contracts.AnomalyEvent.class);
            echo.events.forEach(e -> p.send(new ProducerRecord<>(Topics.ANOMALY_EVENTS.name(), e.getSeriesInstanceUid(), events.encode(e))));
            p.send(new ProducerRecord<>(Topics.STUDY_STATUS.name(), echo.study,
                    AvroSerde.of(org.echostream.contracts.StudyStatus.class).encode(echo.status)));
            p.flush();
        }
    }

    public static void send(String bootstrap, String topic, String key, byte[] value) {
        try (KafkaProducer<String, byte[]> p = producer(bootstrap)) {
            p.send(new ProducerRecord<>(topic, key, value));
            p.flush();
        }
    }

    public static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Committed values of a topic, from the start to its current end; only those keyed {@code key} unless null. */
    public static List<byte[]> read(String bootstrap, String topic, String key) {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<byte[]> values = new ArrayList<>();
            TopicReplay.replay(c, List.of(topic), Duration.ofSeconds(30), r -> {
                if (key == null || key.equals(r.key())) {
                    values.add(r.value());
                }
            }).requireComplete();
            return values;
        }
    }

}
