package org.echostream.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.echostream.anomaly.series.SeriesStateCodec;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.AvroSerde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The punctuator's cost follows the number of due series, not the number of series: the series store counts
 * every value read from it, and a tick among a thousand open series, three of them idle, reads three.
 * Record timestamps are explicit and the wall clock moves only when the test moves it.
 */
class IdleSeriesClosingTest {

    static final String SERIES_ROOT = "1.2.826.0.1.3680043.8.498.9.";

    @TempDir
    Path tmp;

    TopologyHarness harness;

    @BeforeEach
    void start() {
        harness = new TopologyHarness(tmp.resolve("state"), SyntheticRelease.load(tmp.resolve("model"), 0.99));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void a_tick_reads_only_the_due_series_among_a_thousand_open_ones_and_closes_exactly_those() {
        List<String> early = openSeries(0, 3);
        harness.advance(Duration.ofSeconds(50));
        assertThat(harness.summaries.readValuesToList()).extracting(SeriesSummary::getStatus).containsOnly(SeriesStatus.OPEN);
        List<String> late = openSeries(3, 997);
        harness.summaries.readValuesToList();

        long before = harness.seriesStore.valuesRead.get();
        // T0 + 65 s: the early three have been idle 65 s (timeout 60 s), the other 997 for 15 s.
        harness.advance(Duration.ofSeconds(15));
        long read = harness.seriesStore.valuesRead.get() - before;

        assertThat(read).as("series states read by one tick among 1000 open series, 3 due").isEqualTo(3);
        List<SeriesSummary> closed = harness.summaries.readValuesToList();
        assertThat(closed).extracting(SeriesSummary::getStatus).containsOnly(SeriesStatus.CLOSED);
        assertThat(closed).extracting(SeriesSummary::getSeriesInstanceUid).containsExactlyInAnyOrderElementsOf(early);
        assertThat(harness.metrics.seriesClosed).isEqualTo(3);
        KeyValueStore<String, byte[]> states = harness.driver.getKeyValueStore(AnomalyTopology.SERIES_STORE);
        early.forEach(s -> assertThat(SeriesStateCodec.decode(states.get(s)).closed()).as(s).isTrue());
        late.forEach(s -> assertThat(SeriesStateCodec.decode(states.get(s)).closed()).as(s).isFalse());

        before = harness.seriesStore.valuesRead.get();
        harness.advance(Duration.ofSeconds(5));
        assertThat(harness.seriesStore.valuesRead.get() - before).as("a tick with nothing due reads nothing").isZero();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void closed_series_past_their_retention_leave_both_stores() {
        List<String> series = openSeries(0, 20);
        harness.advance(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK));
        assertThat(harness.summaries.readValuesToList().stream().filter(s -> s.getStatus() == SeriesStatus.CLOSED)
                .map(SeriesSummary::getSeriesInstanceUid).collect(Collectors.toSet())).isEqualTo(Set.copyOf(series));
        assertThat(indexedSeries()).containsExactlyInAnyOrderElementsOf(series);

        // Retention counts from the last clip (T0): T0 + retention - 5 s keeps them, T0 + retention + 5 s does not.
        harness.advance(TopologyHarness.CLOSED_RETENTION.minus(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK.multipliedBy(2))));
        assertThat(count(harness.driver.getKeyValueStore(AnomalyTopology.SERIES_STORE))).as("still retained").isEqualTo(20);

        harness.advance(TopologyHarness.IDLE_CHECK.multipliedBy(2));
        assertThat(count(harness.driver.getKeyValueStore(AnomalyTopology.SERIES_STORE))).isZero();
        assertThat(indexedSeries()).isEmpty();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void series_stored_before_the_index_existed_are_indexed_at_the_first_tick_and_still_close() {
        List<String> series = openSeries(0, 5);
        // What an upgrade finds: states in the series store, an index store with nothing in it.
        KeyValueStore<Bytes, byte[]> index = harness.driver.getKeyValueStore(AnomalyTopology.DUE_INDEX_STORE);
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> all = index.all()) {
            all.forEachRemaining(e -> keys.add(e.key));
        }
        assertThat(keys).hasSize(5);
        keys.forEach(index::delete);
        harness.summaries.readValuesToList();

        harness.advance(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK));
        assertThat(harness.summaries.readValuesToList()).extracting(SeriesSummary::getSeriesInstanceUid)
                .containsExactlyInAnyOrderElementsOf(series);
        assertThat(harness.metrics.seriesClosed).isEqualTo(5);
    }

    @Test
    void after_a_restart_idleness_counts_from_the_first_record_not_from_the_start() {
        List<String> before = openSeries(0, 2);
        // The restarted task: a second topology on stores restored from the first one, input not yet readable.
        try (TopologyHarness restarted = restoredFrom(harness)) {
            restarted.advance(TopologyHarness.IDLE.plus(Duration.ofSeconds(10)));
            assertThat(restarted.summaries.isEmpty()).as("closed while no record had come since the start").isTrue();

            // The backlog begins: from now on every series gets a full idle timeout.
            String backlog = SERIES_ROOT + "backlog";
            restarted.latents.pipeInput(backlog, AvroSerde.of(ClipLatents.class).encode(
                    SyntheticLatents.loop(backlog, backlog + ".1", 2, 7).build().get(0)), restarted.clock.instant());
            restarted.summaries.readValuesToList();
            restarted.advance(TopologyHarness.IDLE.minus(TopologyHarness.IDLE_CHECK));
            assertThat(restarted.summaries.isEmpty()).as("closed before an idle timeout from the first record").isTrue();

            restarted.advance(TopologyHarness.IDLE_CHECK.multipliedBy(2));
            List<String> closed = new ArrayList<>(before);
            closed.add(backlog);
            assertThat(restarted.summaries.readValuesToList()).extracting(SeriesSummary::getSeriesInstanceUid)
                    .containsExactlyInAnyOrderElementsOf(closed);
        }
    }

    @Test
    void after_a_restart_with_no_input_series_close_once_the_input_wait_and_the_idle_timeout_are_over() {
        List<String> before = openSeries(0, 2);
        try (TopologyHarness restarted = restoredFrom(harness)) {
            Duration wait = TopologyHarness.RESTART_INPUT_WAIT.plus(TopologyHarness.IDLE);
            restarted.advance(wait.minus(TopologyHarness.IDLE_CHECK));
            assertThat(restarted.summaries.isEmpty()).isTrue();
            restarted.advance(TopologyHarness.IDLE_CHECK.multipliedBy(2));
            assertThat(restarted.summaries.readValuesToList()).extracting(SeriesSummary::getSeriesInstanceUid)
                    .containsExactlyInAnyOrderElementsOf(before);
        }
    }

    /** A new topology (its own state folder and a clock at the same start) whose three stores hold the given one's entries. */
    private TopologyHarness restoredFrom(TopologyHarness source) {
        TopologyHarness restarted = new TopologyHarness(tmp.resolve("restarted"), SyntheticRelease.load(tmp.resolve("model"), 0.99));
        for (String store : List.of(AnomalyTopology.SERIES_STORE, AnomalyTopology.DUE_INDEX_STORE, AnomalyTopology.CLIP_BUFFER_STORE)) {
            KeyValueStore<Object, Object> from = source.driver.getKeyValueStore(store);
            KeyValueStore<Object, Object> to = restarted.driver.getKeyValueStore(store);
            try (KeyValueIterator<Object, Object> all = from.all()) {
                all.forEachRemaining(entry -> to.put(entry.key, entry.value));
            }
        }
        return restarted;
    }

    /** Opens {@code count} series with one clip each, all at the current clock, without moving the wall clock. */
    private List<String> openSeries(int first, int count) {
        List<String> keys = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            String series = SERIES_ROOT + i;
            ClipLatents clip = SyntheticLatents.loop(series, series + ".1", 2, i).build().get(0);
            harness.latents.pipeInput(series, AvroSerde.of(ClipLatents.class).encode(clip), harness.clock.instant());
            keys.add(series);
        }
        assertThat(harness.deadLetters.isEmpty()).isTrue();
        return keys;
    }

    /** The series keys in the due index (its build marker, which sorts after every entry, left out). */
    private List<String> indexedSeries() {
        List<String> keys = new ArrayList<>();
        KeyValueStore<Bytes, byte[]> index = harness.driver.getKeyValueStore(AnomalyTopology.DUE_INDEX_STORE);
        try (KeyValueIterator<Bytes, byte[]> all = index.all()) {
            while (all.hasNext()) {
                KeyValue<Bytes, byte[]> entry = all.next();
                String series = new String(entry.key.get(), Long.BYTES, entry.key.get().length - Long.BYTES,
                        java.nio.charset.StandardCharsets.UTF_8);
                if (!series.startsWith("#")) {
                    keys.add(series);
                }
            }
        }
        return keys;
    }

    private static long count(KeyValueStore<String, byte[]> store) {
        long n = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }
}
