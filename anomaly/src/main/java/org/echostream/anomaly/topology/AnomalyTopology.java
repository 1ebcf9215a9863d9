package org.echostream.anomaly.topology;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.series.SeriesSettings;
import org.echostream.anomaly.series.SeriesTracker;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topics;

/**
 * The anomaly topology, built by one function that tests call directly:
 *
 * <pre>
 *   latents (bytes) ──▶ series-tracker ──▶ surprise-sink, events-sink, summaries-sink, dead-letter-sink
 *                         │ anomaly-series       (series state, JSON, changelogged)
 *                         │ anomaly-clip-buffer  (clips waiting for their partner, changelogged)
 *                         │ anomaly-series-due   (due time + series key, so the punctuator reads only due series)
 * </pre>
 *
 * Every node and store has a fixed name, so internal topic names ({@code <application.id>-anomaly-series-changelog},
 * ...) stay the same as the topology changes.
 */
public final class AnomalyTopology {

    public static final String SERVICE = "anomaly";
    public static final String SOURCE = "latents-source";
    public static final String PROCESSOR = "series-tracker";
    public static final String SURPRISE_SINK = "surprise-sink";
    public static final String EVENTS_SINK = "events-sink";
    public static final String SUMMARIES_SINK = "summaries-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String SERIES_STORE = "anomaly-series";
    public static final String CLIP_BUFFER_STORE = "anomaly-clip-buffer";
    /** The time-ordered index of {@link #SERIES_STORE}: see {@link DueIndex}. */
    public static final String DUE_INDEX_STORE = "anomaly-series-due";

    /**
     * @param idleCheckInterval how often the punctuator looks for idle series (wall clock)
     * @param closedRetention   how long a closed series' state is kept, so a late clip continues its counts
     */
    /**
     * @param restartInputWait after a start, how long a task that has seen no record yet waits before idleness
     *                         counts (from its first record otherwise); see docs/anomaly.md
     */
    public record Settings(TopicNames topics, SeriesSettings series, Duration idleCheckInterval, Duration closedRetention,
                           Duration restartInputWait) {
        public Settings {
            if (restartInputWait.isNegative()) {
                throw new IllegalArgumentException("restart input wait must not be negative, got " + restartInputWait);
            }
        }
    }

    private AnomalyTopology() {
    }

    public static Topology build(Settings settings, ModelCalibration calibration, Clock clock, AnomalyMetrics metrics) {
        return build(settings, calibration, clock, metrics, Stores.persistentKeyValueStore(SERIES_STORE));
    }

    /** With the series store's innermost layer given, so a test can count what the processor reads from it. */
    static Topology build(Settings settings, ModelCalibration calibration, Clock clock, AnomalyMetrics metrics,
                          KeyValueBytesStoreSupplier seriesStore) {
        SeriesTracker tracker = calibration instanceof ModelCalibration.Calibrated calibrated
                ? new SeriesTracker(settings.series(), calibrated) : null;
        TopicNames topics = settings.topics();
        Topology topology = new Topology();
        topology.addSource(SOURCE, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), topics.latents());
        topology.addProcessor(PROCESSOR, () -> new SeriesProcessor(settings, calibration, tracker, clock, metrics), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(seriesStore,
                Serdes.String(), Serdes.ByteArray()).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DUE_INDEX_STORE),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingEnabled(Map.of()), PROCESSOR);
        // Buffered clips are latents records: their changelog needs the latents topic's record size limit.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CLIP_BUFFER_STORE),
                Serdes.String(), AvroSerde.of(ClipLatents.class))
                .withLoggingEnabled(Map.of("max.message.bytes", Topics.LATENTS.configs().get("max.message.bytes"))), PROCESSOR);
        topology.addSink(SURPRISE_SINK, topics.surprise(), Serdes.String().serializer(), AvroSerde.of(ClipSurprise.class), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.events(), Serdes.String().serializer(), AvroSerde.of(AnomalyEvent.class), PROCESSOR);
        topology.addSink(SUMMARIES_SINK, topics.summaries(), Serdes.String().serializer(), AvroSerde.of(SeriesSummary.class), PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetters(), Serdes.String().serializer(), AvroSerde.of(DeadLetter.class), PROCESSOR);
        return topology;
    }
}
