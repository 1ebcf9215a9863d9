package org.echostream.kafka.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code bin/echostream topics}: how many committed records each echostream topic holds. A quick look at
 * where data stopped flowing.
 *
 * <p>It reads the topics ({@code read_committed}) rather than subtracting offsets: on transactional topics
 * every commit marker takes an offset too, so offsets overstate the records by one per transaction, and
 * aborted records are not records anyone will read. Reading is fine for a local broker's volumes.
 */
public final class TopicReport {

    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReport() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        count(bootstrap, "echostream.").forEach((topic, count) -> System.out.printf("  %-36s %8d%n", topic, count));
    }

    /**
     * Committed records per topic whose name starts with {@code prefix}, read from the earliest retained
     * offset to the last stable offset of every partition.
     */
    public static Map<String, Long> count(String bootstrap, String prefix) throws Exception {
        List<TopicPartition> partitions = new ArrayList<>();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"))) {
            var names = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
            topics.values().forEach(t -> t.partitions().forEach(p -> partitions.add(new TopicPartition(t.name(), p.partition()))));
        }
        Map<String, Long> counts = new TreeMap<>();
        partitions.forEach(tp -> counts.putIfAbsent(tp.topic(), 0L));
        if (partitions.isEmpty()) {
            return counts;
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // With read_committed, endOffsets is the last stable offset: the end of what is readable now.
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            List<TopicPartition> open = new ArrayList<>(partitions);
            open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            int idlePolls = 0;
            while (!open.isEmpty() && idlePolls < 25) {
                var records = consumer.poll(POLL);
                idlePolls = records.isEmpty() ? idlePolls + 1 : 0;
                records.forEach(r -> counts.merge(r.topic(), 1L, Long::sum));
                open.removeIf(tp -> consumer.position(tp) >= ends.get(tp));
            }
        }
        return counts;
    }
}
