package org.echostream.embedder.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics of one test on a real broker, and the two things tests do with them: write clips and read committed output. */
public final class KafkaTestTopics {

    private final String bootstrap;

    public KafkaTestTopics(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    /** Creates {@code prefix-<random>.<name>} for each name, with the catalogue's partition counts; returns the full names. */
    public List<String> create(String prefix, Map<String, Integer> partitionsByName) throws Exception {
        String run = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> names = new ArrayList<>();
        List<NewTopic> topics = new ArrayList<>();
        partitionsByName.forEach((name, partitions) -> {
            names.add(run + "." + name);
            topics.add(new NewTopic(run + "." + name, partitions, (short) 1)
                    .configs(Map.of("max.message.bytes", String.valueOf(8 * 1024 * 1024))));
        });
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
        awaitLeaders(names);
        return names;
    }

    /**
     * Waits until every partition of the topics has a leader: a producer that writes to a partition the broker does
     * not lead yet can get stuck retrying OUT_OF_ORDER_SEQUENCE_NUMBER (seen with a single KRaft node right after
     * creation).
     */
    public void awaitLeaders(List<String> names) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Instant deadline = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(deadline)) {
                try {
                    boolean ready = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values().stream()
                            .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
                    if (ready) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                    // created, but the broker's metadata does not show it yet
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("partitions of " + names + " have no leader after 60 s");
        }
    }

    public KafkaProducer<String, byte[]> producer() {
        // Plain, ordered writes stand in for ingest; idempotence would add nothing to what the tests check.
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1), new StringSerializer(), new ByteArraySerializer());
    }

    public void send(String topic, List<ProducerRecord<String, byte[]>> records) throws Exception {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.key(), r.value()));
            }
            producer.flush();
        }
    }

    /**
     * Reads {@code topic} from the beginning as {@code isolationLevel} until {@code expected} records arrived or the
     * timeout passed, then keeps reading for {@code settle} to catch any record beyond the expected count.
     */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic, String isolationLevel, int expected, Duration timeout,
                                                        Duration settle) {
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(timeout);
            Instant settleUntil = null;
            while (Instant.now().isBefore(deadline) && (settleUntil == null || Instant.now().isBefore(settleUntil))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                if (settleUntil == null && records.size() >= expected) {
                    settleUntil = Instant.now().plus(settle);
                }
            }
        }
        return records;
    }
}
