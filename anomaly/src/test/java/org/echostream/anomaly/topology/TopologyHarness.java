package org.echostream.anomaly.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.Stores;
import org.echostream.anomaly.scoring.EvidenceRule;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.series.SeriesSettings;
import org.echostream.anomaly.testing.MutableClock;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.TallyMetrics;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;

/** The topology under {@link TopologyTestDriver}, with a hand-moved clock and readers for every output. */
final class TopologyHarness implements AutoCloseable {

    static final Duration IDLE = Duration.ofSeconds(60);
    static final Duration IDLE_CHECK = Duration.ofSeconds(5);
    static final Duration CLOSED_RETENTION = Duration.ofHours(1);
    static final Duration RESTART_INPUT_WAIT = Duration.ofSeconds(30);
    static final TopicNames TOPICS = TopicNames.catalogue();

    final MutableClock clock = new MutableClock(SyntheticLatents.T0);
    final TallyMetrics metrics = new TallyMetrics();
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> latents;
    final TestOutputTopic<String, ClipSurprise> surprise;
    final TestOutputTopic<String, AnomalyEvent> events;
    final TestOutputTopic<String, SeriesSummary> summaries;
    final TestOutputTopic<String, DeadLetter> deadLetters;
    /** Counts every value the topology reads from the series store. */
    final CountingStoreSupplier seriesStore = new CountingStoreSupplier(Stores.persistentKeyValueStore(AnomalyTopology.SERIES_STORE));

    static SeriesSettings defaultSettings() {
        return new SeriesSettings(new EvidenceRule(2, 3, 0.99), 4.0, 0.5, OptionalDouble.empty(), 0.25, IDLE, 4);
    }

    TopologyHarness(Path stateDir, ModelCalibration calibration) {
        this(stateDir, calibration, defaultSettings());
    }

    TopologyHarness(Path stateDir, ModelCalibration calibration, SeriesSettings settings) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "anomaly-test-" + UUID.randomUUID());
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(AnomalyTopology.build(new AnomalyTopology.Settings(TOPICS, settings, IDLE_CHECK,
                CLOSED_RETENTION, RESTART_INPUT_WAIT), calibration, clock, metrics, seriesStore), props, clock.instant());
        latents = driver.createInputTopic(TOPICS.latents(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
        surprise = driver.createOutputTopic(TOPICS.surprise(), Serdes.String().deserializer(), AvroSerde.of(ClipSurprise.class));
        events = driver.createOutputTopic(TOPICS.events(), Serdes.String().deserializer(), AvroSerde.of(AnomalyEvent.class));
        summaries = driver.createOutputTopic(TOPICS.summaries(), Serdes.String().deserializer(), AvroSerde.of(SeriesSummary.class));
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters(), Serdes.String().deserializer(), AvroSerde.of(DeadLetter.class));
    }

    /** Sends clips one second apart (record time and wall clock move together). */
    void send(List<ClipLatents> clips) {
        for (ClipLatents clip : clips) {
            send(clip.getRef().getSeriesInstanceUid(), AvroSerde.of(ClipLatents.class).encode(clip));
        }
    }

    void send(String key, byte[] value) {
        latents.pipeInput(key, value, clock.instant());
        advance(Duration.ofSeconds(1));
    }

    /** Moves the wall clock: the injected clock and the driver's, which fires due punctuations. */
    void advance(Duration duration) {
        clock.advance(duration);
        driver.advanceWallClockTime(duration);
    }

    boolean allOutputsRead() {
        return surprise.isEmpty() && events.isEmpty() && summaries.isEmpty() && deadLetters.isEmpty();
    }

    @Override
    public void close() {
        driver.close();
    }
}
