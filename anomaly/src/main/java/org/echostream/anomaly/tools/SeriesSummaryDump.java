package org.echostream.anomaly.tools;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.TopicReplay;
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
            TopicReplay.Outcome outcome = TopicReplay.replay(consumer, List.of(topic), timeout, record -> {
                if (record.value() == null) {
                    latest.remove(record.key());
                } else if (DecodeResult.decode(serde, record.value()) instanceof DecodeResult.Decoded<SeriesSummary> decoded) {
                    latest.put(record.key(), decoded.value());
                } else {
                    progress.printf("series-summaries: %s-%d@%d is not a SeriesSummary, skipped%n", record.topic(),
                            record.partition(), record.offset());
                }
            });
            if (outcome instanceof TopicReplay.Outcome.Incomplete incomplete) {
                progress.printf("series-summaries: gave up: %s; output is partial%n", incomplete.reason());
            }
            progress.printf("series-summaries: %d records, %d series%n", outcome.records(), latest.size());
        }
        return latest;
    }
}
