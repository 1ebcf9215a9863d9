package org.echostream.anomaly.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;

/**
 * {@code anomaly/bin/series-summaries}: prints the latest summary of every series on the compacted summaries
 * topic as JSON lines (sorted by Series Instance UID), reading committed records only, up to the end offsets
 * found at start. Progress and unreadable records go to stderr; stdout holds only the lines.
 */
public final class SeriesSummaryDump {

    private SeriesSummaryDump() {
    }

    public static void main(String[] args) {
        String bootstrap = "127.0.0.1:9092";
        String topic = Topics.SERIES_SUMMARIES.name();
        Duration timeout = Duration.ofSeconds(60);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--topic" -> topic = args[++i];
                case "--timeout" -> timeout = Duration.parse("PT" + args[++i].toUpperCase());
                case "-h", "--help" -> {
                    System.out.println("""
                            usage: series-summaries [--bootstrap HOST:PORT] [--topic NAME] [--timeout 60s]
                              Prints the latest SeriesSummary of every series as one JSON line each.
                              --bootstrap  Kafka bootstrap servers (default 127.0.0.1:9092)
                              --topic      summaries topic (default echostream.series-summaries.v1)
                              --timeout    give up reading after this long (default 60s)""");
                    return;
                }
                default -> {
                    System.err.println("unknown option " + args[i] + " (try --help)");
                    System.exit(2);
                }
            }
        }
        Map<String, SeriesSummary> latest = read(bootstrap, topic, timeout, System.err);
        latest.values().forEach(summary -> System.out.println(SummaryLine.of(summary)));
    }

    /** The latest summary per series, as compaction would leave it (a tombstone removes the series). */
    public static Map<String, SeriesSummary> read(String bootstrap, String topic, Duration timeout, PrintStream progress) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        AvroSerde<SeriesSummary> serde = AvroSerde.of(SeriesSummary.class);
        Map<String, SeriesSummary> latest = new TreeMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = Instant.now().plus(timeout);
            long records = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (Instant.now().isAfter(deadline)) {
                    progress.printf("series-summaries: gave up after %s with %d records read; output is partial%n", timeout, records);
                    break;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else if (DecodeResult.decode(serde, record.value()) instanceof DecodeResult.Decoded<SeriesSummary> decoded) {
                        latest.put(record.key(), decoded.value());
                    } else {
                        progress.printf("series-summaries: %s-%d@%d is not a SeriesSummary, skipped%n", record.topic(),
                                record.partition(), record.offset());
                    }
                }
            }
            progress.printf("series-summaries: %d records from %d partitions, %d series%n", records, partitions.size(), latest.size());
        }
        return latest;
    }
}
