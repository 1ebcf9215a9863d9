package org.echostream.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ContractSamples;
import org.echostream.contracts.DeadLetter;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every contract type through its catalogue topic and serde on the real broker; poison goes to the DLQ. */
@ExtendWith(LocalKafkaExtension.class)
class ContractsKafkaIT {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);
    private static String bootstrap;

    @BeforeAll
    static void createCatalogue(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicCatalogueAdmin.Report first = new TopicCatalogueAdmin(admin, (short) 1).ensure(Topics.all());
            assertThat(first.created()).hasSize(Topics.all().size());
            TopicCatalogueAdmin.Report second = new TopicCatalogueAdmin(admin, (short) 1).ensure(Topics.all());
            assertThat(second.created()).as("the admin step is idempotent").isEmpty();
            assertThat(second.mismatches()).isEmpty();
        }
    }

    @Test
    void catalogue_topics_exist_with_their_partitions_and_configs() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<String, TopicDescription> described = admin.describeTopics(Topics.all().stream().map(Topic::name).toList())
                    .allTopicNames().get();
            for (Topic<?, ?> topic : Topics.all()) {
                assertThat(described.get(topic.name()).partitions()).as(topic.name()).hasSize(topic.partitions());
            }
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, Topics.SERIES_SUMMARIES.name());
            var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void every_contract_type_survives_a_round_trip_through_its_topic() {
        String run = UUID.randomUUID().toString();
        for (SpecificRecordBase sample : ContractSamples.all()) {
            Topic<String, SpecificRecordBase> topic = topicFor(sample);
            String key = "roundtrip-" + run + "-" + sample.getSchema().getName();
            try (KafkaProducer<String, SpecificRecordBase> producer = new KafkaProducer<>(producerProps(),
                    topic.keySerde().serializer(), topic.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(topic.name(), key, sample));
                producer.flush();
            }
            // Other tests put poison on the same topics: read bytes and decode only this test's record.
            List<SpecificRecordBase> received = new ArrayList<>();
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(),
                    topic.keySerde().deserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic.name()));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline && received.isEmpty()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (key.equals(r.key())) {
                            received.add(topic.valueSerde().deserializer().deserialize(topic.name(), r.value()));
                        }
                    }
                }
            }
            assertThat(received).as("%s through %s", sample.getSchema().getName(), topic.name()).containsExactly(sample);
        }
    }

    @Test
    void an_undecodable_record_goes_to_the_dead_letter_topic_with_its_reason_and_the_next_one_is_processed() {
        String series = "1.2.3.4.5." + Math.abs(UUID.randomUUID().getLeastSignificantBits());
        Clip good = Clip.newBuilder(ContractSamples.clip()).build();
        byte[] goodBytes = AvroSerde.of(Clip.class).encode(good);
        byte[] poison = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = series.getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(Topics.CLIPS.name(), key, poison));
            producer.send(new ProducerRecord<>(Topics.CLIPS.name(), key, goodBytes));
            producer.flush();
        }

        // A minimal consume loop in the shape every service uses: decode, route poison, go on.
        DeadLetters deadLetters = new DeadLetters("embedder", CLOCK);
        AvroSerde<Clip> serde = (AvroSerde<Clip>) Topics.CLIPS.valueSerde();
        List<Clip> processed = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, DeadLetter> dlq = new KafkaProducer<>(producerProps(),
                     deadLetters.topic().keySerde().serializer(), deadLetters.topic().valueSerde().serializer())) {
            consumer.subscribe(List.of(Topics.CLIPS.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && processed.stream().noneMatch(c -> c.equals(good))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (!series.equals(new String(record.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    DecodeResult<Clip> result = DecodeResult.decode(serde, record.value());
                    if (result instanceof DecodeResult.Decoded<Clip> decoded) {
                        processed.add(decoded.value());
                    } else if (result instanceof DecodeResult.Poison<Clip> poisoned) {
                        dlq.send(deadLetters.toProducerRecord(
                                deadLetters.forRecord(record, poisoned.reasonCode(), poisoned.reasonDetail())));
                    }
                }
            }
            dlq.flush();
        }
        assertThat(processed).containsExactly(good);

        List<DeadLetter> letters = new ArrayList<>();
        try (KafkaConsumer<String, DeadLetter> consumer = new KafkaConsumer<>(consumerProps(),
                Topics.DLQ_EMBEDDER.keySerde().deserializer(), Topics.DLQ_EMBEDDER.valueSerde().deserializer())) {
            consumer.subscribe(List.of(Topics.DLQ_EMBEDDER.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && letters.stream().noneMatch(l -> series.equals(l.getSourceKey()))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> letters.add(r.value()));
            }
        }
        DeadLetter letter = letters.stream().filter(l -> series.equals(l.getSourceKey())).findFirst().orElseThrow();
        assertThat(letter.getReasonCode()).isEqualTo(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED);
        assertThat(letter.getReasonDetail()).contains("Clip").contains(Topics.CLIPS.name());
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.CLIPS.name());
        assertThat(letter.getSourceOffset()).isNotNull();
        assertThat(letter.getPayloadSha256()).isEqualTo(DeadLetters.sha256(poison));
        assertThat(letter.getPayloadBytes()).isEqualTo(poison.length);
    }

    @SuppressWarnings("unchecked")
    private static Topic<String, SpecificRecordBase> topicFor(SpecificRecordBase sample) {
        return (Topic<String, SpecificRecordBase>) Topics.all().stream()
                .filter(t -> t.valueType() == sample.getClass()).findFirst().orElseThrow();
    }

    private static Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return p;
    }

    private static Properties consumerProps() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }
}
