package org.echostream.kafka.local;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code bin/echostream topics}: how many records each echostream topic holds (end minus start offsets,
 * so transaction markers count too on transactional topics). A quick look at where data stopped flowing.
 */
public final class TopicReport {

    private TopicReport() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000", AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000"))) {
            var names = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(n -> n.startsWith("echostream.")).collect(Collectors.toSet());
            Map<String, TopicDescription> topics = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            Map<TopicPartition, OffsetSpec> earliest = new java.util.HashMap<>();
            topics.values().forEach(t -> t.partitions().forEach(p -> {
                latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.earliest());
            }));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all().get(10, TimeUnit.SECONDS);
            Map<String, Long> counts = new TreeMap<>();
            ends.forEach((tp, end) -> counts.merge(tp.topic(), end.offset() - starts.get(tp).offset(), Long::sum));
            counts.forEach((topic, count) -> System.out.printf("  %-36s %8d%n", topic, count));
        }
    }
}
