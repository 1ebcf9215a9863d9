package org.echostream.anomaly.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.series.Refusal;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticLatents.Box;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.RecordDecodingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topology under {@code TopologyTestDriver}, fed with synthetic latents whose predictions miss by a
 * chosen amount; the calibration is measured on the same generator's normal pairs. Record timestamps and
 * the wall clock are explicit; every test ends with nothing left unread.
 */
class AnomalyTopologyTest {

    static final String SERIES = "1.2.826.0.1.3680043.8.498.7.1";
    static final String SOP = "1.2.826.0.1.3680043.8.498.7.1.1";
    static final String OTHER_SOP = "1.2.826.0.1.3680043.8.498.7.1.2";

    @TempDir
    Path tmp;

    ModelCalibration.Calibrated calibration;
    TopologyHarness harness;

    @BeforeEach
    void start() {
        calibration = SyntheticRelease.load(tmp.resolve("model"), 0.99);
        harness = new TopologyHarness(tmp.resolve("state"), calibration);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /** What every score carries: the latents' model plus the sha256 of the calibration.json that normalised it. */
    private org.echostream.contracts.ModelRef scoredModel() {
        String calibrationSha256 = calibration.release().calibrationSha256();
        assertThat(calibrationSha256).isEqualTo(org.echostream.contracts.model.ModelManifest.sha256(tmp.resolve("model/calibration.json")));
        return org.echostream.contracts.ModelRef.newBuilder(SyntheticLatents.MODEL).setCalibrationSha256(calibrationSha256).build();
    }

    @Test
    void normal_sequence_scores_every_clip_and_raises_nothing() {
        harness.send(SyntheticLatents.loop(SERIES, SOP, 10, 1).build());

        List<ClipSurprise> scored = harness.surprise.readValuesToList();
        assertThat(scored).extracting(s -> s.getRef().getClipIndex()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(scored).allSatisfy(s -> {
            assertThat(s.getPredictedFromClipIndex()).isEqualTo(s.getRef().getClipIndex() - 1);
            assertThat(s.getTokenSurprise()).hasSize(SyntheticLatents.TOKENS);
            assertThat(s.getModel()).as("the embedder's model, and the calibration that normalised the score")
                    .isEqualTo(scoredModel());
            assertThat(s.getPreprocessingVersion()).isEqualTo(SyntheticLatents.PREPROCESSING);
        });
        assertThat(harness.events.isEmpty()).isTrue();
        SeriesSummary last = lastSummary();
        assertThat(last.getModel()).isEqualTo(scoredModel());
        assertThat(last.getClipCount()).isEqualTo(9);
        assertThat(last.getEventCount()).isZero();
        assertThat(last.getFlagged()).isFalse();
        assertThat(last.getStatus()).isEqualTo(SeriesStatus.OPEN);
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void sustained_surprise_raises_one_event_with_its_clip_frame_and_time_bounds() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 10, 2).surprising(4, 5, 6, 7).build();
        harness.send(clips);

        List<AnomalyEvent> events = harness.events.readValuesToList();
        assertThat(events).hasSize(1);
        AnomalyEvent event = events.get(0);
        assertThat(event.getEventId()).isEqualTo(SOP + "/4");
        assertThat(event.getSeriesInstanceUid()).isEqualTo(SERIES);
        assertThat(event.getSopInstanceUid()).isEqualTo(SOP);
        assertThat(event.getFirstClipIndex()).isEqualTo(4);
        assertThat(event.getLastClipIndex()).isEqualTo(7);
        assertThat(event.getFirstFrame()).isEqualTo(clips.get(4).getRef().getFirstFrame());
        assertThat(event.getLastFrame()).isEqualTo(clips.get(7).getRef().getFirstFrame() + clips.get(7).getRef().getFrameCount() - 1);
        assertThat(event.getStartSeconds()).isEqualTo(clips.get(4).getRef().getStartSeconds());
        assertThat(event.getEndSeconds()).isEqualTo(clips.get(7).getRef().getEndSeconds());
        List<Double> eventScores = scoresOf(harness.surprise.readValuesToList(), 4, 7);
        assertThat(event.getPeakScore()).isEqualTo(eventScores.stream().mapToDouble(d -> d).max().orElseThrow());
        assertThat(event.getMeanScore()).isCloseTo(eventScores.stream().mapToDouble(d -> d).average().orElseThrow(),
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(event.getRule()).startsWith("k-of-n(k=2,n=3");
        assertThat(event.getModel()).isEqualTo(scoredModel());
        assertThat(event.getPreprocessingVersion()).isEqualTo(SyntheticLatents.PREPROCESSING);

        SeriesSummary last = lastSummary();
        assertThat(last.getEventCount()).isEqualTo(1);
        assertThat(last.getFlagged()).isTrue();
        assertThat(last.getPeakScore()).isEqualTo(event.getPeakScore());
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void event_region_is_the_box_of_tokens_whose_prediction_missed() {
        Box box = new Box(1, 2, 2, 3);
        harness.send(SyntheticLatents.loop(SERIES, SOP, 8, 3).surprising(3, 4, 5).in(box).build());

        AnomalyEvent event = harness.events.readValuesToList().get(0);
        assertThat(event.getRegion().getRowStart()).isEqualTo(box.rowStart());
        assertThat(event.getRegion().getRowEnd()).isEqualTo(box.rowEnd());
        assertThat(event.getRegion().getColStart()).isEqualTo(box.colStart());
        assertThat(event.getRegion().getColEnd()).isEqualTo(box.colEnd());
        // Columns 2..3 of 4 are the right half of the 500 px wide region; rows 1..2 the middle of the letterboxed height.
        assertThat(event.getRegion().getSource().getX()).isEqualTo(60 + 250);
        assertThat(event.getRegion().getSource().getWidth()).isEqualTo(250);
        assertThat(event.getRegion().getSource().getY()).isGreaterThan(40).isLessThan(40 + 190);
        harness.surprise.readValuesToList();
        harness.summaries.readValuesToList();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void a_single_surprising_clip_is_seen_but_raises_no_event() {
        harness.send(SyntheticLatents.loop(SERIES, SOP, 8, 4).surprising(4).build());

        List<ClipSurprise> scored = harness.surprise.readValuesToList();
        assertThat(scored.stream().filter(s -> s.getClipScore() >= 1.0))
                .extracting(s -> s.getRef().getClipIndex()).containsExactly(4);
        assertThat(harness.events.isEmpty()).isTrue();
        SeriesSummary last = lastSummary();
        assertThat(last.getFlagged()).isFalse();
        assertThat(last.getPeakScore()).isGreaterThanOrEqualTo(1.0);
        assertThat(last.getAnomalyScore()).isLessThan(1.0);
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void clips_out_of_order_are_paired_and_give_the_same_event_as_in_order() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 10, 5).surprising(4, 5, 6, 7).build();
        List<ClipLatents> shuffled = new ArrayList<>(List.of(clips.get(0), clips.get(2), clips.get(1), clips.get(3),
                clips.get(6), clips.get(4), clips.get(5), clips.get(9), clips.get(7), clips.get(8)));
        harness.send(shuffled);
        List<AnomalyEvent> outOfOrder = harness.events.readValuesToList();
        Map<Integer, Double> outOfOrderScores = byIndex(harness.surprise.readValuesToList());
        SeriesSummary outOfOrderSummary = lastSummary();

        try (TopologyHarness inOrder = new TopologyHarness(tmp.resolve("state-2"), calibration)) {
            inOrder.send(clips);
            List<AnomalyEvent> expected = inOrder.events.readValuesToList();
            assertThat(outOfOrder).hasSize(1);
            assertThat(outOfOrder.get(0)).usingRecursiveComparison().ignoringFields("detectedAt").isEqualTo(expected.get(0));
            assertThat(outOfOrderScores).isEqualTo(byIndex(inOrder.surprise.readValuesToList()));
            assertThat(outOfOrderSummary.getClipCount()).isEqualTo(9);
            assertThat(outOfOrderSummary.getAnomalyScore())
                    .isEqualTo(inOrder.summaries.readValuesToList().get(clips.size() - 1).getAnomalyScore());
        }
        assertThat(harness.metrics.gaps).isZero();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void a_missing_clip_resets_the_rule_instead_of_bridging_two_spikes() {
        // Clips 4 and 7 surprise; clip 5 never arrives, so clips 5 and 6 cannot be scored. Bridging the gap
        // would make 4 and 7 two of three consecutive clips; the gap must reset the rule instead.
        List<ClipLatents> clips = new ArrayList<>(SyntheticLatents.loop(SERIES, SOP, 10, 6).surprising(4, 7).build());
        clips.remove(5);
        harness.send(clips);
        harness.advance(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK));

        assertThat(harness.surprise.readValuesToList()).extracting(s -> s.getRef().getClipIndex())
                .containsExactly(1, 2, 3, 4, 7, 8, 9);
        assertThat(harness.events.isEmpty()).isTrue();
        assertThat(harness.metrics.gaps).isEqualTo(1);
        SeriesSummary closed = lastSummary();
        assertThat(closed.getStatus()).isEqualTo(SeriesStatus.CLOSED);
        assertThat(closed.getClipCount()).isEqualTo(7);
        assertThat(closed.getEventCount()).isZero();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void sustained_surprise_after_a_gap_still_raises_its_event() {
        List<ClipLatents> clips = new ArrayList<>(SyntheticLatents.loop(SERIES, SOP, 14, 7).surprising(8, 9, 10).build());
        clips.remove(3);
        harness.send(clips);

        // Clip 3 is given up as soon as more than 4 scored clips wait behind it; the loop then evaluates on.
        List<AnomalyEvent> events = harness.events.readValuesToList();
        assertThat(events).extracting(AnomalyEvent::getFirstClipIndex, AnomalyEvent::getLastClipIndex)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(8, 10));
        assertThat(harness.metrics.gaps).isEqualTo(1);
        harness.surprise.readValuesToList();
        harness.summaries.readValuesToList();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void idle_series_is_closed_with_a_summary_after_the_timeout_and_not_before() {
        harness.send(SyntheticLatents.loop(SERIES, SOP, 6, 8).build().subList(0, 4));
        harness.surprise.readValuesToList();
        assertThat(lastSummary().getStatus()).isEqualTo(SeriesStatus.OPEN);

        harness.advance(TopologyHarness.IDLE.minus(TopologyHarness.IDLE_CHECK).minusSeconds(1));
        assertThat(harness.summaries.isEmpty()).isTrue();

        harness.advance(TopologyHarness.IDLE_CHECK.plusSeconds(1));
        List<SeriesSummary> closed = harness.summaries.readValuesToList();
        assertThat(closed).hasSize(1);
        assertThat(closed.get(0).getStatus()).isEqualTo(SeriesStatus.CLOSED);
        assertThat(closed.get(0).getClipCount()).isEqualTo(3);
        assertThat(closed.get(0).getUpdatedAt()).isAfterOrEqualTo(SyntheticLatents.T0.plus(TopologyHarness.IDLE))
                .isBeforeOrEqualTo(harness.clock.instant());
        assertThat(harness.metrics.seriesClosed).isEqualTo(1);

        harness.advance(TopologyHarness.IDLE.multipliedBy(3));
        assertThat(harness.allOutputsRead()).as("a closed series is not closed again").isTrue();
    }

    @Test
    void a_late_clip_reopens_a_closed_series_and_continues_its_counts() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 6, 9).build();
        harness.send(clips.subList(0, 4));
        harness.advance(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK));
        assertThat(lastSummary().getStatus()).isEqualTo(SeriesStatus.CLOSED);

        harness.send(clips.subList(4, 6));
        harness.surprise.readValuesToList();
        SeriesSummary reopened = lastSummary();
        assertThat(reopened.getStatus()).isEqualTo(SeriesStatus.OPEN);
        // Clip 4's prediction came from clip 3, whose tensors were released at closing: only clip 5 adds.
        assertThat(reopened.getClipCount()).isEqualTo(4);
        assertThat(harness.metrics.lateClips).isZero();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void a_series_summary_aggregates_all_its_loops_and_compares_within_each_loop() {
        List<ClipLatents> a = SyntheticLatents.loop(SERIES, SOP, 5, 10).build();
        List<ClipLatents> b = SyntheticLatents.loop(SERIES, OTHER_SOP, 6, 11).surprising(2, 3, 4).build();
        List<ClipLatents> interleaved = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            if (i < a.size()) {
                interleaved.add(a.get(i));
            }
            interleaved.add(b.get(i));
        }
        harness.send(interleaved);

        List<ClipSurprise> scored = harness.surprise.readValuesToList();
        assertThat(scored).allSatisfy(s -> assertThat(s.getPredictedFromClipIndex()).isEqualTo(s.getRef().getClipIndex() - 1));
        assertThat(scored.stream().filter(s -> s.getRef().getSopInstanceUid().equals(SOP))).allSatisfy(
                s -> assertThat(s.getClipScore()).as("loop A is normal: compared with B it would not be").isLessThan(1.0));
        List<AnomalyEvent> events = harness.events.readValuesToList();
        assertThat(events).extracting(AnomalyEvent::getSopInstanceUid).containsExactly(OTHER_SOP);
        SeriesSummary last = lastSummary();
        assertThat(last.getClipCount()).isEqualTo(4 + 5);
        assertThat(last.getEventCount()).isEqualTo(1);
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void poison_record_goes_to_the_dead_letter_topic_with_its_reason_and_the_next_record_is_processed() {
        byte[] poison = "not an avro record".getBytes(StandardCharsets.UTF_8);
        harness.send(SERIES, poison);
        harness.send(SyntheticLatents.loop(SERIES, SOP, 3, 12).build());

        List<KeyValue<String, DeadLetter>> letters = harness.deadLetters.readKeyValuesToList();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0).value;
        assertThat(letter.getService()).isEqualTo("anomaly");
        assertThat(letter.getReasonCode()).isEqualTo(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED);
        assertThat(letter.getSourceKind()).isEqualTo("KAFKA_RECORD");
        assertThat(letter.getSourceTopic()).isEqualTo(TopologyHarness.TOPICS.latents());
        assertThat(letter.getSourceOffset()).isZero();
        assertThat(letter.getSourceKey()).isEqualTo(SERIES);
        assertThat(letter.getPayloadSha256()).isEqualTo(DeadLetters.sha256(poison));
        assertThat(letters.get(0).key).isEqualTo(SERIES);
        assertThat(harness.surprise.readValuesToList()).hasSize(2);
        assertThat(lastSummary().getClipCount()).isEqualTo(2);
        assertThat(harness.metrics.deadLetters).containsExactly(Map.entry(RecordDecodingException.NOT_SINGLE_OBJECT_ENCODED, 1));
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void latents_of_another_model_or_with_a_foreign_key_are_dead_lettered_and_the_loop_goes_on() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 4, 13).build();
        ClipLatents otherModel = ClipLatents.newBuilder(clips.get(1))
                .setModel(new ModelRef("echostream-other", "9.9.9", "1".repeat(64), "2".repeat(64), null)).build();
        harness.send(List.of(clips.get(0), otherModel));
        harness.send("1.2.3.999", org.echostream.contracts.kafka.AvroSerde.of(ClipLatents.class).encode(clips.get(2)));
        harness.send(List.of(clips.get(1), clips.get(2), clips.get(3)));

        List<DeadLetter> letters = harness.deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsExactly(Refusal.MODEL_MISMATCH, Refusal.KEY_MISMATCH);
        assertThat(letters).allSatisfy(l -> assertThat(l.getSopInstanceUid()).isEqualTo(SOP));
        assertThat(letters.get(0).getReasonDetail()).contains("echostream-other 9.9.9").contains(SyntheticLatents.MODEL_NAME);
        assertThat(harness.surprise.readValuesToList()).extracting(s -> s.getRef().getClipIndex()).containsExactly(1, 2, 3);
        harness.summaries.readValuesToList();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void a_clip_delivered_twice_is_scored_once() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 4, 14).build();
        harness.send(List.of(clips.get(0), clips.get(1), clips.get(1), clips.get(2), clips.get(3), clips.get(3)));

        assertThat(harness.surprise.readValuesToList()).extracting(s -> s.getRef().getClipIndex()).containsExactly(1, 2, 3);
        assertThat(harness.metrics.duplicates).isEqualTo(2);
        assertThat(lastSummary().getClipCount()).isEqualTo(3);
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void without_a_calibration_every_record_is_dead_lettered_with_the_reason() {
        harness.close();
        harness = new TopologyHarness(tmp.resolve("state-uncalibrated"),
                new ModelCalibration.NotCalibrated("model x 0.0.1-placeholder: no per-clip quantiles"));
        harness.send(SyntheticLatents.loop(SERIES, SOP, 2, 15).build());

        List<DeadLetter> letters = harness.deadLetters.readValuesToList();
        assertThat(letters).extracting(DeadLetter::getReasonCode).containsOnly(Refusal.MODEL_NOT_CALIBRATED).hasSize(2);
        assertThat(letters.get(0).getReasonDetail()).contains("no per-clip quantiles");
        assertThat(harness.allOutputsRead()).isTrue();
    }

    @Test
    void completed_loops_leave_no_clip_in_the_buffer() {
        harness.send(SyntheticLatents.loop(SERIES, SOP, 5, 16).build());
        harness.send(SyntheticLatents.loop(SERIES, OTHER_SOP, 5, 17).build().subList(0, 3));

        var buffer = harness.driver.<String, ClipLatents>getKeyValueStore(AnomalyTopology.CLIP_BUFFER_STORE);
        List<String> keys = new ArrayList<>();
        buffer.all().forEachRemaining(kv -> keys.add(kv.key));
        assertThat(keys).as("only the open loop's last clip waits, for the prediction it made")
                .containsExactly(SERIES + "/" + OTHER_SOP + "/32");
        harness.advance(TopologyHarness.IDLE.plus(TopologyHarness.IDLE_CHECK));
        assertThat(buffer.approximateNumEntries()).isZero();
        harness.surprise.readValuesToList();
        harness.summaries.readValuesToList();
        assertThat(harness.allOutputsRead()).isTrue();
    }

    private SeriesSummary lastSummary() {
        List<SeriesSummary> all = harness.summaries.readValuesToList();
        assertThat(all).isNotEmpty();
        return all.get(all.size() - 1);
    }

    private static List<Double> scoresOf(List<ClipSurprise> scored, int first, int last) {
        return scored.stream().filter(s -> s.getRef().getClipIndex() >= first && s.getRef().getClipIndex() <= last)
                .sorted(Comparator.comparingInt(s -> s.getRef().getClipIndex())).map(ClipSurprise::getClipScore).toList();
    }

    private static Map<Integer, Double> byIndex(List<ClipSurprise> scored) {
        return scored.stream().collect(Collectors.toMap(s -> s.getRef().getClipIndex(), ClipSurprise::getClipScore));
    }
}
