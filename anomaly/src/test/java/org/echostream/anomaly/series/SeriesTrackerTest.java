package org.echostream.anomaly.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.echostream.anomaly.scoring.EvidenceRule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.echostream.anomaly.scoring.CalibrationLoader;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.scoring.NormativeModel;
import org.echostream.anomaly.scoring.MotionNorms;
import org.echostream.anomaly.scoring.NormativeFeatures;
import org.echostream.anomaly.scoring.SeriesMeasure;
import org.echostream.anomaly.scoring.SeriesRule;
import org.echostream.contracts.tensor.TokenCodec;
import org.echostream.anomaly.testing.MapTensorBuffer;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.SeriesSummary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tracker on its own: the evidence rule's edges, bounds, refusals and its state surviving serialisation. */
class SeriesTrackerTest {

    static final String SERIES = "1.2.826.0.1.3680043.8.498.9.1";
    static final String SOP = "1.2.826.0.1.3680043.8.498.9.1.1";
    /** Quiet clips well below the threshold: these tests are about the rule, not about the normal tail. */
    static final double QUIET = 0.2;

    @TempDir
    Path tmp;

    ModelCalibration.Calibrated calibration;
    SeriesTracker tracker;
    MapTensorBuffer tensors = new MapTensorBuffer();
    Instant now = SyntheticLatents.T0;
    SeriesState state;
    List<Emission> emitted = new ArrayList<>();
    boolean serialiseBetweenClips;

    @BeforeEach
    void setUp() {
        calibration = SyntheticRelease.load(tmp, 0.99);
        tracker = new SeriesTracker(settings(4), calibration);
    }

    static SeriesSettings settings(int maxOutOfOrder) {
        return new SeriesSettings(new EvidenceRule(2, 3, 0.99), 4.0, 0.5, OptionalDouble.empty(), 0.25, Duration.ofSeconds(60),
                maxOutOfOrder);
    }

    @Test
    void one_quiet_clip_inside_sustained_surprise_keeps_a_single_event_whose_mean_includes_it() {
        feed(SyntheticLatents.loop(SERIES, SOP, 9, 21).surprising(2, 3, 5, 6).quietNoise(QUIET).build());

        List<AnomalyEvent> events = events();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).getFirstClipIndex()).isEqualTo(2);
        assertThat(events.get(0).getLastClipIndex()).isEqualTo(6);
        double[] scores = scores(2, 6);
        assertThat(events.get(0).getMeanScore()).isCloseTo(java.util.Arrays.stream(scores).average().orElseThrow(), within(1e-9));
        assertThat(scores[2]).as("clip 4 is quiet").isLessThan(1.0);
    }

    @Test
    void two_quiet_clips_end_the_event_at_its_last_surprising_clip_and_a_new_one_can_start() {
        feed(SyntheticLatents.loop(SERIES, SOP, 12, 22).surprising(1, 2, 5, 6, 9, 10).quietNoise(QUIET).build());

        assertThat(events()).extracting(AnomalyEvent::getFirstClipIndex, AnomalyEvent::getLastClipIndex).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, 2), org.assertj.core.groups.Tuple.tuple(5, 6),
                org.assertj.core.groups.Tuple.tuple(9, 10));
        assertThat(lastSummary().getEventCount()).isEqualTo(3);
    }

    @Test
    void an_event_open_at_the_end_of_its_loop_is_emitted_when_the_loop_completes() {
        feed(SyntheticLatents.loop(SERIES, SOP, 4, 23).surprising(2, 3).quietNoise(QUIET).build());

        assertThat(events()).extracting(AnomalyEvent::getLastClipIndex).containsExactly(3);
        assertThat(tensors.clips).as("a complete loop keeps nothing").isEmpty();
    }

    @Test
    void state_that_went_through_the_codec_mid_loop_continues_exactly_as_in_memory() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 8, 24).surprising(3, 4, 5).build();
        serialiseBetweenClips = true;
        feed(clips);
        List<Emission> viaCodec = List.copyOf(emitted);

        emitted.clear();
        state = null;
        now = SyntheticLatents.T0;
        tensors = new MapTensorBuffer();
        serialiseBetweenClips = false;
        feed(clips);
        assertThat(viaCodec).hasSameSizeAs(emitted).usingRecursiveFieldByFieldElementComparator().isEqualTo(emitted);
    }

    @Test
    void scored_clips_waiting_behind_a_missing_clip_are_bounded() {
        tracker = new SeriesTracker(settings(2), calibration);
        List<ClipLatents> clips = new ArrayList<>(SyntheticLatents.loop(SERIES, SOP, 10, 25).build());
        clips.remove(2);
        ClipOutcome.Accepted last = null;
        for (ClipLatents clip : clips.subList(0, 6)) {
            last = feed(clip);
        }
        // Clip 2 is missing, so clips 2 and 3 cannot be scored; 4, 5 and 6 wait behind it until there are more than 2.
        assertThat(last.gaps()).isEqualTo(1);
        assertThat(state.loops.get(SOP).cursor).isEqualTo(7);
        assertThat(state.loops.get(SOP).pendingScores).isEmpty();
        assertThat(tensors.clips).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void a_clip_that_contradicts_its_loop_is_refused() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 4, 26).build();
        feed(clips.get(0));
        ClipLatents otherLength = ClipLatents.newBuilder(clips.get(1)).setClipsInLoop(7).build();
        ClipLatents otherWeights = ClipLatents.newBuilder(clips.get(1))
                .setModel(ModelRef.newBuilder(SyntheticLatents.MODEL).setPredictorSha256("0".repeat(64)).build()).build();

        assertThat(tracker.onClip(state, otherLength, now, tensors)).isInstanceOfSatisfying(ClipOutcome.Refused.class,
                r -> assertThat(r.refusal().detail()).contains("7 clips").contains("said 4"));
        assertThat(tracker.onClip(state, otherWeights, now, tensors)).isInstanceOfSatisfying(ClipOutcome.Refused.class,
                r -> assertThat(r.refusal().reasonCode()).isEqualTo(Refusal.INCOMPARABLE_LATENTS));
    }

    @Test
    void robust_mean_leaves_the_single_highest_clip_out() {
        assertThat(SeriesTracker.robustMean(0, Double.NEGATIVE_INFINITY, 0)).isZero();
        assertThat(SeriesTracker.robustMean(3.0, 3.0, 1)).isEqualTo(3.0);
        assertThat(SeriesTracker.robustMean(4.0 + 0.5 + 0.25, 4.0, 3)).isEqualTo(0.375);
        assertThat(SeriesTracker.robustMean(-0.5 + -0.25, -0.25, 2)).as("all-negative scores").isEqualTo(-0.5);
    }

    @Test
    void normative_score_enters_the_fallback_series_score_with_its_weight() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 5, 27).shifted(1.5).build();
        tracker = new SeriesTracker(new SeriesSettings(new EvidenceRule(2, 3, 0.99), 4.0, 0.5, OptionalDouble.empty(), 0.0,
                Duration.ofSeconds(60), 4), calibration);
        feed(clips);
        double withoutNormative = lastSummary().getAnomalyScore();
        emitted.clear();
        state = null;
        tensors = new MapTensorBuffer();
        tracker = new SeriesTracker(settings(4), calibration);
        feed(clips);

        SeriesSummary summary = lastSummary();
        assertThat(summary.getNormativeScore()).as("features far from the normal cloud").isGreaterThan(1.0);
        assertThat(java.util.Arrays.stream(scores(1, 4)).max().orElseThrow()).as("predictions still match").isLessThan(1.0);
        // robust means: capped normative scores are all 4 here, so the normative part is 4
        assertThat(summary.getAnomalyScore()).isCloseTo(0.75 * withoutNormative + 0.25 * 4.0, within(1e-9));
        assertThat(events()).isEmpty();
    }

    @Test
    void with_the_release_series_rule_the_score_is_the_combined_z_and_flags_at_its_threshold() {
        ObjectNode file = SyntheticRelease.withCombinedSeriesRule(SyntheticRelease.calibration(), 6, 0.01);
        calibration = (ModelCalibration.Calibrated) SyntheticRelease.loadPinned(SyntheticRelease.write(tmp.resolve("combined"), file), 0.99);
        tracker = new SeriesTracker(settings(4), calibration);
        SeriesRule.Combined rule = (SeriesRule.Combined) calibration.seriesRule().orElseThrow();

        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 6, 28).build();
        feed(clips);
        double meanS = emitted.stream().filter(e -> e instanceof Emission.ClipScored)
                .mapToDouble(e -> ((Emission.ClipScored) e).value().getClipSurprise()).average().orElseThrow();
        NormativeModel normative = calibration.normative().orElseThrow();
        double meanN = clips.stream().mapToDouble(c -> normative.distance(normative.features().of(
                TokenCodec.decode(c.getObservedTokens(), c.getTokenEncoding(), SyntheticLatents.TOKENS * SyntheticLatents.DIM),
                SyntheticLatents.GRID, SyntheticLatents.DIM, calibration.lnEps()))).average().orElseThrow();
        SeriesSummary normal = lastSummary();
        assertThat(normal.getAnomalyScore()).isCloseTo((meanS - rule.surpriseMean()) / rule.surpriseStd()
                + (meanN - rule.normativeMean()) / rule.normativeStd(), within(1e-9));
        assertThat(normal.getFlagged()).isEqualTo(normal.getAnomalyScore() > rule.threshold().getAsDouble());

        emitted.clear();
        state = null;
        feed(SyntheticLatents.loop(SERIES + ".3", SOP + ".3", 6, 29).surprising(3).build());
        SeriesSummary spiked = lastSummary();
        assertThat(events()).as("one surprising clip is no event").isEmpty();
        assertThat(spiked.getAnomalyScore()).as("but it moves the release's mean-based series score").isGreaterThan(rule.threshold().getAsDouble());
        assertThat(spiked.getFlagged()).isTrue();
    }

    @Test
    void with_a_general_series_rule_the_tracker_tallies_its_measures_through_the_codec_and_scores_the_rule() throws Exception {
        ObjectNode file = SyntheticRelease.calibration();
        int cells = SyntheticLatents.GRID.get(1) * SyntheticLatents.GRID.get(2);
        ObjectNode motion = file.putObject("motion");
        motion.putArray("cell_mean").addAll(java.util.Collections.nCopies(cells, new com.fasterxml.jackson.databind.node.DoubleNode(0.9)));
        motion.putArray("cell_std").addAll(java.util.Collections.nCopies(cells, new com.fasterxml.jackson.databind.node.DoubleNode(0.1)));
        motion.put("global_mean", 0.9).put("global_std", 0.05);
        file.set("series", new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"components": [
                   {"name": "surprise_top10_max", "measure": "surprise_top", "fraction": 0.1, "aggregate": "max", "mean": 0.3, "std": 0.05},
                   {"name": "motion_deficit_regional_max", "measure": "motion_deficit_regional", "aggregate": "max", "mean": 0.0, "std": 1.0},
                   {"name": "motion_deficit_global_mean", "measure": "motion_deficit_global", "aggregate": "mean", "mean": 0.0, "std": 2.0}],
                 "combine": "sum", "weights": [1.0, 1.0, 0.5], "threshold": 1e9}
                """));
        calibration = (ModelCalibration.Calibrated) SyntheticRelease.loadPinned(SyntheticRelease.write(tmp.resolve("general"), file), 0.99);
        tracker = new SeriesTracker(settings(4), calibration);
        SeriesRule.General rule = (SeriesRule.General) calibration.seriesRule().orElseThrow();
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 5, 31).surprising(2).build();
        serialiseBetweenClips = true;
        feed(clips);

        double topMax = emitted.stream().filter(e -> e instanceof Emission.ClipScored)
                .mapToDouble(e -> {
                    List<Float> t = ((Emission.ClipScored) e).value().getTokenSurprise();
                    float[] a = new float[t.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = t.get(i);
                    }
                    return SeriesMeasure.topMean(a, 0.1);
                }).max().orElseThrow();
        double regionalMax = Double.NEGATIVE_INFINITY;
        double globalSum = 0;
        MotionNorms norms = rule.motion().orElseThrow();
        for (ClipLatents c : clips) {
            double[] f = NormativeFeatures.POOLED_AND_MOTION.of(TokenCodec.decode(c.getObservedTokens(), c.getTokenEncoding(),
                    SyntheticLatents.TOKENS * SyntheticLatents.DIM), SyntheticLatents.GRID, SyntheticLatents.DIM, calibration.lnEps());
            double[] m = java.util.Arrays.copyOfRange(f, SyntheticLatents.DIM, f.length);
            regionalMax = Math.max(regionalMax, norms.regional(m));
            globalSum += norms.global(m);
        }
        double expected = (topMax - 0.3) / 0.05 + regionalMax + 0.5 * (globalSum / clips.size()) / 2.0;
        assertThat(lastSummary().getAnomalyScore()).isCloseTo(expected, within(1e-9));
        assertThat(lastSummary().getFlagged()).isFalse();
    }

    @Test
    void a_buffered_clip_keeps_only_the_tokens_its_partner_will_be_compared_with() {
        List<ClipLatents> clips = SyntheticLatents.loop(SERIES, SOP, 6, 41).build();
        feed(clips.get(0));
        ClipLatents first = tensors.clips.get(SERIES + "/" + SOP + "/" + clips.get(0).getRef().getFirstFrame());
        assertThat(first.getPredictedTokens()).as("its prediction waits for clip 1").isEqualTo(clips.get(0).getPredictedTokens());
        assertThat(first.getObservedTokens().remaining()).as("nothing will be compared with its observation").isZero();
        assertThat(first.getPooledEmbedding()).isEmpty();

        feed(clips.get(5));
        ClipLatents last = tensors.clips.get(SERIES + "/" + SOP + "/" + clips.get(5).getRef().getFirstFrame());
        assertThat(last.getObservedTokens()).as("it waits for clip 4's prediction").isEqualTo(clips.get(5).getObservedTokens());
        assertThat(last.getPredictedTokens().remaining()).as("the last clip's prediction points past the loop").isZero();

        feed(clips.subList(1, 5));
        assertThat(emitted.stream().filter(e -> e instanceof Emission.ClipScored).count()).isEqualTo(5);
        assertThat(tensors.clips).as("a completed loop leaves nothing buffered").isEmpty();
    }

    private void feed(List<ClipLatents> clips) {
        clips.forEach(this::feed);
    }

    private ClipOutcome.Accepted feed(ClipLatents clip) {
        SeriesState before = serialiseBetweenClips && state != null ? SeriesStateCodec.decode(SeriesStateCodec.encode(state)) : state;
        ClipOutcome outcome = tracker.onClip(before, clip, now, tensors);
        assertThat(outcome).isInstanceOf(ClipOutcome.Accepted.class);
        ClipOutcome.Accepted accepted = (ClipOutcome.Accepted) outcome;
        state = accepted.state();
        emitted.addAll(accepted.emissions());
        now = now.plusSeconds(1);
        return accepted;
    }

    private List<AnomalyEvent> events() {
        return emitted.stream().filter(e -> e instanceof Emission.EventRaised).map(e -> ((Emission.EventRaised) e).value()).toList();
    }

    private SeriesSummary lastSummary() {
        List<SeriesSummary> all = emitted.stream().filter(e -> e instanceof Emission.SummaryUpdated)
                .map(e -> ((Emission.SummaryUpdated) e).value()).toList();
        return all.get(all.size() - 1);
    }

    private double[] scores(int first, int last) {
        return emitted.stream().filter(e -> e instanceof Emission.ClipScored).map(e -> ((Emission.ClipScored) e).value())
                .filter(s -> s.getRef().getClipIndex() >= first && s.getRef().getClipIndex() <= last)
                .mapToDouble(s -> s.getClipScore()).toArray();
    }
}
