package org.echostream.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.anomaly.tools.SeriesSummaryDump;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.TopicReplay;
import org.echostream.contracts.kafka.RecordDecodingException;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.kafka.Topics;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.SharedLocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service on a real broker of its own, killed with SIGKILL in the middle of a series and
 * started again on an empty state folder (as if its pod moved): every clip is scored exactly once, the
 * sustained surprise gives exactly one event, the summaries end CLOSED with the right counts, and a poison
 * record sent on the way is dead-lettered once. Everything is read {@code read_committed}.
 */
class AnomalyRestartIT {

    static final String STUDY = "1.2.826.0.1.3680043.8.498.5";
    static final String SURPRISING = "1.2.826.0.1.3680043.8.498.5.1";
    static final String NORMAL = "1.2.826.0.1.3680043.8.498.5.2";
    static final int CLIPS = 10;

    static LocalKafka broker;
    static Path work;
    static Path model;

    @BeforeAll
    static void startBroker() throws Exception {
        work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "restart-it-");
        broker = new LocalKafka(LocalKafka.Config.defaults(SharedLocalKafka.testDataDir())).start();
        TopicCatalogueAdmin.ensureCatalogue(broker.bootstrapServers(), (short) 1);
        model = SyntheticRelease.write(work.resolve("model"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void a_service_killed_mid_series_loses_and_doubles_nothing() throws Exception {
        List<ClipLatents> surprising = SyntheticLatents.loop(SURPRISING, SURPRISING + ".1", CLIPS, 51)
                .surprising(3, 4, 5, 6).quietNoise(0.2).build();
        List<ClipLatents> normal = SyntheticLatents.loop(NORMAL, NORMAL + ".1", CLIPS, 52).quietNoise(0.2).build();

        Process first = startService("first", work.resolve("state-1"));
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, surprising.subList(0, 5));
            send(producer, normal.subList(0, 5));
            producer.send(new ProducerRecord<>(Topics.LATENTS.name(), NORMAL, "poison".getBytes(StandardCharsets.UTF_8))).get();
            awaitSummaries(s -> s.getClipCount() >= 4, Duration.ofSeconds(120));

            // Two more clips, then SIGKILL while they may be in an open transaction.
            send(producer, surprising.subList(5, 7));
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            send(producer, surprising.subList(7, CLIPS));
            send(producer, normal.subList(5, CLIPS));
        }

        Process second = startService("second", work.resolve("state-2"));
        try {
            Map<String, SeriesSummary> closed = awaitSummaries(s -> s.getStatus() == SeriesStatus.CLOSED, Duration.ofSeconds(180));

            assertThat(closed.get(SURPRISING).getClipCount()).isEqualTo(CLIPS - 1);
            assertThat(closed.get(SURPRISING).getEventCount()).isEqualTo(1);
            assertThat(closed.get(SURPRISING).getFlagged()).isTrue();
            assertThat(closed.get(NORMAL).getClipCount()).isEqualTo(CLIPS - 1);
            assertThat(closed.get(NORMAL).getEventCount()).isZero();
            assertThat(closed.get(NORMAL).getFlagged()).isFalse();

            List<AnomalyEvent> events = readAll(Topics.ANOMALY_EVENTS.name(), AvroSerde.of(AnomalyEvent.class));
            assertThat(events).extracting(AnomalyEvent::getEventId).containsExactly(SURPRISING + ".1/3");
            assertThat(events.get(0).getLastClipIndex()).isEqualTo(6);

            List<ClipSurprise> scored = readAll(Topics.SURPRISE.name(), AvroSerde.of(ClipSurprise.class));
            for (String series : List.of(SURPRISING, NORMAL)) {
                assertThat(scored.stream().filter(s -> s.getRef().getSeriesInstanceUid().equals(series)))
                        .as("clips of %s scored exactly once", series)
                        .extracting(s -> s.getRef().getClipIndex()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9);
            }

            List<DeadLetter> letters = readAll(Topics.DLQ_ANOMALY.name(), AvroSerde.of(DeadLetter.class));
            assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED);

            Map<String, SeriesSummary> dumped = SeriesSummaryDump.read(broker.bootstrapServers(), Topics.SERIES_SUMMARIES.name(),
                    Duration.ofSeconds(30), new PrintStream(java.io.OutputStream.nullOutputStream()));
            assertThat(dumped.keySet()).containsExactly(SURPRISING, NORMAL);
            assertThat(dumped.get(SURPRISING)).usingRecursiveComparison().isEqualTo(closed.get(SURPRISING));
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Process startService(String name, Path stateDir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = work.resolve(name + ".log");
        return new ProcessBuilder(List.of(java, "-Xmx256m",
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dquarkus.http.port=0",
                "-Dquarkus.log.console.json.enabled=false",
                "-Dechostream.model.dir=" + model,
                "-Dechostream.model.release-sha256=" + SyntheticRelease.pinOf(model),
                "-Dkafka-streams.state.dir=" + stateDir,
                "-Dechostream.series.idle-timeout=4s",
                "-Dechostream.series.idle-check-interval=1s",
                // The killed instance's group membership expires after this (the broker's minimum), not the default 45 s.
                "-Dkafka-streams.session.timeout.ms=6000",
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, List<ClipLatents> clips) throws Exception {
        AvroSerde<ClipLatents> serde = AvroSerde.of(ClipLatents.class);
        for (ClipLatents clip : clips) {
            producer.send(new ProducerRecord<>(Topics.LATENTS.name(), clip.getRef().getSeriesInstanceUid(), serde.encode(clip))).get();
        }
    }

    /** Waits until the latest committed summary of both series satisfies {@code done}. */
    private static Map<String, SeriesSummary> awaitSummaries(Predicate<SeriesSummary> done, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, SeriesSummary> latest = Map.of();
        while (Instant.now().isBefore(deadline)) {
            latest = readAll(Topics.SERIES_SUMMARIES.name(), AvroSerde.of(SeriesSummary.class)).stream()
                    .collect(Collectors.toMap(SeriesSummary::getSeriesInstanceUid, s -> s, (a, b) -> b));
            if (latest.size() == 2 && latest.values().stream().allMatch(done)) {
                return latest;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("summaries did not get there within " + timeout + "; latest: " + latest
                + "\nservice logs in " + work);
    }

    /** Every committed value of the topic, in partition then offset order. */
    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> readAll(String topic, AvroSerde<T> serde) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicReplay.replay(consumer, List.of(topic), Duration.ofSeconds(60), records::add).requireComplete();
        }
        records.sort(java.util.Comparator.<ConsumerRecord<String, byte[]>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        List<T> values = records.stream().map(r -> serde.decode(r.value())).toList();
        return values;
    }
}
