package org.echostream.anomaly.series;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.scoring.ModelRelease;
import org.echostream.anomaly.scoring.NormativeFeatures;
import org.echostream.anomaly.scoring.NormativeModel;
import org.echostream.anomaly.scoring.RegionLocator;
import org.echostream.anomaly.scoring.SeriesMeasure;
import org.echostream.anomaly.scoring.SeriesRule;
import org.echostream.anomaly.scoring.Surprise;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.TokenRegion;
import org.echostream.contracts.tensor.TokenCodec;

/**
 * The anomaly logic of one series, without Kafka: pairs each clip's prediction with the clip it predicts
 * (same loop, {@code predictedFirstFrame == firstFrame}), scores the pair against the calibration, runs the
 * sustained-evidence rule over the scored clips of each loop in clip order, and keeps the series summary.
 *
 * <p>Order and gaps: clips may arrive out of order; a clip that cannot be paired yet waits in the
 * {@link TensorBuffer}, and a scored clip whose predecessors are not evaluated yet waits in the loop state.
 * A missing clip is given up as a gap when more than {@code maxOutOfOrder} scored clips wait behind it, when
 * its loop is otherwise complete, or when the series goes idle; a gap resets the evidence rule (it never
 * counts as surprise). A clip scored after its place was given up is still published and counted in the
 * summary, but it takes no part in the rule.
 *
 * <p>Holds no state between calls (the series state and the buffer are passed in), so one instance serves
 * every stream task and thread.
 */
public final class SeriesTracker {

    private final SeriesSettings settings;
    private final ModelCalibration.Calibrated calibration;
    private final ModelRelease release;
    private final RegionLocator locator;
    private final SeriesRule seriesRule;
    private final OptionalDouble seriesThreshold;
    /** The release's general rule, when it ships one: then the tracker tallies the per-clip measures it reads. */
    private final Optional<SeriesRule.General> general;
    private final int slots;
    private final int rows;
    private final int cols;

    public SeriesTracker(SeriesSettings settings, ModelCalibration.Calibrated calibration) {
        this.settings = settings;
        this.calibration = calibration;
        this.release = calibration.release();
        this.locator = new RegionLocator(settings.regionFraction(), release.clipHeight(), release.clipWidth());
        this.seriesRule = calibration.seriesRule().orElse(new SeriesRule.RobustClipScores(settings.normativeWeight()));
        this.seriesThreshold = settings.seriesThresholdOverride().isPresent()
                ? settings.seriesThresholdOverride() : seriesRule.threshold();
        this.general = seriesRule instanceof SeriesRule.General g ? Optional.of(g) : Optional.empty();
        this.slots = release.tokenGrid().get(0);
        this.rows = release.tokenGrid().get(1);
        this.cols = release.tokenGrid().get(2);
    }

    /** The series threshold in use (configuration over calibration), empty when series are flagged by events only. */
    public OptionalDouble seriesThreshold() {
        return seriesThreshold;
    }

    public SeriesRule seriesRule() {
        return seriesRule;
    }

    public java.time.Duration idleTimeout() {
        return settings.idleTimeout();
    }

    /**
     * @param existing the series' state, or null for a series not seen before
     * @param clip     a record that passed {@link LatentsCheck}
     */
    public ClipOutcome onClip(SeriesState existing, ClipLatents clip, Instant now, TensorBuffer tensors) {
        ClipRef ref = clip.getRef();
        SeriesState state = existing != null ? existing : newSeries(clip, now);
        LoopState loop = state.loops.get(ref.getSopInstanceUid());
        if (loop == null) {
            loop = newLoop(clip);
            state.loops.put(ref.getSopInstanceUid(), loop);
        } else if (loop.received.contains(ref.getClipIndex())) {
            return new ClipOutcome.Duplicate("series " + ref.getSeriesInstanceUid() + " loop " + ref.getSopInstanceUid()
                    + " clip " + ref.getClipIndex() + " was processed before");
        } else {
            Optional<Refusal> refusal = comparable(loop, clip);
            if (refusal.isPresent()) {
                return new ClipOutcome.Refused(refusal.get());
            }
        }
        state.closed = false;
        state.lastActivityMillis = now.toEpochMilli();
        state.preprocessingVersion = clip.getPreprocessingVersion();
        loop.received.add(ref.getClipIndex());
        calibration.normative().ifPresent(model -> {
            double distance = model.distance(normativeFeatures(model, clip));
            double score = model.scale().score(distance);
            double capped = Math.min(score, settings.clipScoreCap());
            state.normativeClips++;
            state.sumNormative += distance;
            state.sumNormativeScore += score;
            state.sumCappedNormative += capped;
            state.maxCappedNormative = Math.max(state.maxCappedNormative, capped);
            state.measures.add(SeriesMeasure.NORMATIVE, distance);
        });
        general.flatMap(SeriesRule.General::motion).ifPresent(norms -> {
            double[] motion = motionMap(clip);
            state.measures.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, norms.regional(motion));
            state.measures.add(SeriesMeasure.MOTION_DEFICIT_GLOBAL, norms.global(motion));
        });

        Step step = new Step();
        boolean observationPending = false;
        boolean predictionPending = false;
        if (ref.getClipIndex() > 0) {
            Map.Entry<Integer, StoredClip> source = loop.stored.entrySet().stream()
                    .filter(e -> e.getValue().predictionPending() && e.getValue().predictedFirstFrame() == ref.getFirstFrame())
                    .findFirst().orElse(null);
            if (source == null) {
                observationPending = true;
            } else {
                score(state, loop, buffered(state, loop, source.getKey(), tensors), clip, step, now);
                settle(state, loop, source.getValue().predictionDone(), tensors);
            }
        }
        // The last clip's prediction points past the end of the loop: nothing will ever be compared with it.
        if (ref.getClipIndex() < clip.getClipsInLoop() - 1) {
            StoredClip waiting = loop.stored.get(clip.getPredictedFirstFrame());
            if (waiting == null || !waiting.observationPending()) {
                predictionPending = true;
            } else {
                score(state, loop, clip, buffered(state, loop, waiting.firstFrame(), tensors), step, now);
                settle(state, loop, waiting.observationDone(), tensors);
            }
        }
        if (observationPending || predictionPending) {
            loop.stored.put(ref.getFirstFrame(), new StoredClip(ref.getClipIndex(), ref.getFirstFrame(),
                    clip.getPredictedFirstFrame(), observationPending, predictionPending));
            tensors.put(tensorKey(state, loop, ref.getFirstFrame()), waitingPart(clip, observationPending, predictionPending));
        }

        advance(state, loop, step, now);
        if (loop.allReceived()) {
            finish(state, loop, step, now, tensors);
            loop.complete = true;
        } else {
            enforceBounds(state, loop, step, now, tensors);
        }
        step.emissions.add(summary(state, now));
        return new ClipOutcome.Accepted(state, step.emissions, step.gaps, step.late);
    }

    /** True when the series has had no clip for the idle timeout (counted from {@code notBefore} at the earliest). */
    public boolean idle(SeriesState state, Instant now, Instant notBefore) {
        long since = Math.max(state.lastActivityMillis, notBefore.toEpochMilli());
        return !state.closed && now.toEpochMilli() - since >= settings.idleTimeout().toMillis();
    }

    /**
     * Closes an idle series: every loop gives up its missing clips, open events end, buffered tensors are
     * released, and the summary goes out as CLOSED. A clip arriving later reopens the series.
     */
    public Closing close(SeriesState state, Instant now, TensorBuffer tensors) {
        Step step = new Step();
        for (LoopState loop : state.loops.values()) {
            if (!loop.complete) {
                finish(state, loop, step, now, tensors);
            }
        }
        state.closed = true;
        step.emissions.add(summary(state, now));
        return new Closing(step.emissions, step.gaps);
    }

    /** What closing an idle series published, and how many missing clips it gave up on. */
    public record Closing(List<Emission> emissions, int gaps) {
        public Closing {
            emissions = List.copyOf(emissions);
        }
    }

    private SeriesState newSeries(ClipLatents clip, Instant now) {
        SeriesState state = new SeriesState();
        state.studyInstanceUid = clip.getRef().getStudyInstanceUid();
        state.seriesInstanceUid = clip.getRef().getSeriesInstanceUid();
        state.modelName = clip.getModel().getName();
        state.modelVersion = clip.getModel().getVersion();
        state.encoderSha256 = clip.getModel().getEncoderSha256();
        state.predictorSha256 = clip.getModel().getPredictorSha256();
        state.firstClipAtMillis = now.toEpochMilli();
        return state;
    }

    private static LoopState newLoop(ClipLatents clip) {
        LoopState loop = new LoopState();
        loop.sopInstanceUid = clip.getRef().getSopInstanceUid();
        loop.clipsInLoop = clip.getClipsInLoop();
        loop.tokenGrid = List.copyOf(clip.getTokenGrid());
        loop.latentDim = clip.getLatentDim();
        loop.encoderSha256 = clip.getModel().getEncoderSha256();
        loop.predictorSha256 = clip.getModel().getPredictorSha256();
        loop.crop = CropState.of(clip.getCrop());
        return loop;
    }

    private static Optional<Refusal> comparable(LoopState loop, ClipLatents clip) {
        ClipRef ref = clip.getRef();
        String where = "series " + ref.getSeriesInstanceUid() + " loop " + ref.getSopInstanceUid() + " clip " + ref.getClipIndex();
        if (clip.getClipsInLoop() != loop.clipsInLoop) {
            return Optional.of(new Refusal(Refusal.INCOMPARABLE_LATENTS, where + ": says the loop has " + clip.getClipsInLoop()
                    + " clips, earlier clips said " + loop.clipsInLoop));
        }
        if (!clip.getModel().getEncoderSha256().equals(loop.encoderSha256)
                || !clip.getModel().getPredictorSha256().equals(loop.predictorSha256)) {
            return Optional.of(new Refusal(Refusal.INCOMPARABLE_LATENTS, where + ": encoder/predictor sha256 differ from the "
                    + "loop's earlier clips; predictions of one model cannot be compared with tokens of another"));
        }
        StoredClip sameStart = loop.stored.get(ref.getFirstFrame());
        if (sameStart != null && sameStart.clipIndex() != ref.getClipIndex()) {
            return Optional.of(new Refusal(Refusal.INCOMPARABLE_LATENTS, where + ": starts at frame " + ref.getFirstFrame()
                    + " like clip " + sameStart.clipIndex() + " of the same loop"));
        }
        return Optional.empty();
    }

    /**
     * What the buffer keeps of a waiting clip: the predicted tokens only while its prediction waits, the
     * observed tokens only while its observation waits, never the pooled embedding (scoring reads none).
     * In order, every buffered clip waits for its prediction's partner only, so this halves the buffer and
     * its changelog.
     */
    private static ClipLatents waitingPart(ClipLatents clip, boolean observationPending, boolean predictionPending) {
        ClipLatents.Builder kept = ClipLatents.newBuilder(clip).setPooledEmbedding(List.of());
        if (!observationPending) {
            kept.setObservedTokens(java.nio.ByteBuffer.allocate(0));
        }
        if (!predictionPending) {
            kept.setPredictedTokens(java.nio.ByteBuffer.allocate(0));
        }
        return kept.build();
    }

    /** Keeps a stored clip that still waits for something, or releases it and its tensors. */
    private static void settle(SeriesState state, LoopState loop, StoredClip clip, TensorBuffer tensors) {
        if (clip.waiting()) {
            loop.stored.put(clip.firstFrame(), clip);
        } else {
            loop.stored.remove(clip.firstFrame());
            tensors.delete(tensorKey(state, loop, clip.firstFrame()));
        }
    }

    private static ClipLatents buffered(SeriesState state, LoopState loop, int firstFrame, TensorBuffer tensors) {
        ClipLatents clip = tensors.get(tensorKey(state, loop, firstFrame));
        if (clip == null) {
            throw new IllegalStateException("series " + state.seriesInstanceUid + " loop " + loop.sopInstanceUid
                    + ": the clip starting at frame " + firstFrame + " is in the series state but not in the clip buffer");
        }
        return clip;
    }

    static String tensorKey(SeriesState state, LoopState loop, int firstFrame) {
        return state.seriesInstanceUid + "/" + loop.sopInstanceUid + "/" + firstFrame;
    }

    private void score(SeriesState state, LoopState loop, ClipLatents source, ClipLatents observed, Step step, Instant now) {
        int tokens = release.tokensPerClip();
        int dim = release.latentDim();
        float[] predicted = TokenCodec.decode(source.getPredictedTokens(), source.getTokenEncoding(), tokens * dim);
        float[] actual = TokenCodec.decode(observed.getObservedTokens(), observed.getTokenEncoding(), tokens * dim);
        Surprise surprise = Surprise.between(predicted, actual, tokens, dim, calibration.lnEps());
        double score = calibration.clipScale().score(surprise.clip());
        Double normative = calibration.normative().map(m -> m.score(normativeFeatures(m, observed))).orElse(null);
        ClipRef ref = observed.getRef();

        List<Float> perToken = new ArrayList<>(tokens);
        for (float s : surprise.perToken()) {
            perToken.add(s);
        }
        step.emissions.add(new Emission.ClipScored(ClipSurprise.newBuilder()
                .setRef(ref).setPredictedFromClipIndex(source.getRef().getClipIndex()).setTokenGrid(release.tokenGrid())
                .setTokenSurprise(perToken).setClipSurprise(surprise.clip()).setClipScore(score).setNormativeScore(normative)
                .setCrop(observed.getCrop()).setFps(observed.getFps())
                .setModel(ModelRef.newBuilder(observed.getModel()).setCalibrationSha256(release.calibrationSha256()).build())
                .setPreprocessingVersion(observed.getPreprocessingVersion()).setComputedAt(now)
                .build()));

        double capped = Math.min(score, settings.clipScoreCap());
        state.scoredClips++;
        state.sumSurprise += surprise.clip();
        state.sumCappedScore += capped;
        state.maxCappedScore = Math.max(state.maxCappedScore, capped);
        state.peakScore = Math.max(state.peakScore, score);
        state.measures.add(SeriesMeasure.SURPRISE_MEAN, surprise.clip());
        general.flatMap(g -> g.topFraction().isPresent() ? Optional.of(g.topFraction().getAsDouble()) : Optional.empty())
                .ifPresent(fraction -> state.measures.add(SeriesMeasure.SURPRISE_TOP, SeriesMeasure.topMean(surprise.perToken(), fraction)));

        ScoredClip scored = new ScoredClip(ref.getClipIndex(), ref.getFirstFrame(), ref.getFrameCount(), ref.getStartSeconds(),
                ref.getEndSeconds(), score, spatialMap(surprise.perToken()));
        if (ref.getClipIndex() >= loop.cursor) {
            loop.pendingScores.put(ref.getClipIndex(), scored);
        } else {
            step.late++;
        }
    }

    /** The clip's latent motion map m (the motion part of the normative features). */
    private double[] motionMap(ClipLatents clip) {
        float[] tokens = TokenCodec.decode(clip.getObservedTokens(), clip.getTokenEncoding(),
                release.tokensPerClip() * release.latentDim());
        double[] features = NormativeFeatures.POOLED_AND_MOTION.of(tokens, release.tokenGrid(), release.latentDim(), calibration.lnEps());
        return java.util.Arrays.copyOfRange(features, release.latentDim(), features.length);
    }

    private double[] normativeFeatures(NormativeModel model, ClipLatents clip) {
        float[] tokens = TokenCodec.decode(clip.getObservedTokens(), clip.getTokenEncoding(),
                release.tokensPerClip() * release.latentDim());
        return model.features().of(tokens, release.tokenGrid(), release.latentDim(), calibration.lnEps());
    }

    /** (T, R, C) token surprise -> (R, C) token scores averaged over time slots. */
    private float[] spatialMap(float[] perToken) {
        float[] map = new float[rows * cols];
        for (int t = 0; t < slots; t++) {
            for (int cell = 0; cell < map.length; cell++) {
                map[cell] += (float) (calibration.tokenScale().score(perToken[t * map.length + cell]) / slots);
            }
        }
        return map;
    }

    private void advance(SeriesState state, LoopState loop, Step step, Instant now) {
        ScoredClip next;
        while ((next = loop.pendingScores.remove(loop.cursor)) != null) {
            evaluate(state, loop, next, step, now);
            loop.cursor++;
        }
    }

    /** k-of-n over the loop's evaluated clips; an event spans its first to its last surprising clip. */
    private void evaluate(SeriesState state, LoopState loop, ScoredClip clip, Step step, Instant now) {
        loop.window.add(clip);
        while (loop.window.size() > settings.rule().n()) {
            loop.window.remove(0);
        }
        boolean surprising = settings.rule().surprising(clip.score());
        boolean firing = loop.window.stream().filter(c -> settings.rule().surprising(c.score())).count() >= settings.rule().k();
        if (loop.open != null) {
            if (surprising) {
                loop.tail.forEach(loop.open::absorb);
                loop.tail.clear();
                loop.open.absorb(clip);
            } else {
                loop.tail.add(clip);
            }
            if (!firing) {
                closeEvent(state, loop, step, now);
            }
        } else if (firing) {
            // Only a surprising clip can make the count reach k, so the window ends with one.
            OpenEvent event = new OpenEvent();
            boolean started = false;
            for (ScoredClip c : loop.window) {
                started |= settings.rule().surprising(c.score());
                if (started) {
                    event.absorb(c);
                }
            }
            loop.open = event;
        }
    }

    private void closeEvent(SeriesState state, LoopState loop, Step step, Instant now) {
        OpenEvent event = loop.open;
        loop.open = null;
        loop.tail.clear();
        RegionLocator.GridBox box = locator.box(event.meanMap(), rows, cols);
        TokenRegion region = locator.locate(box, rows, cols, loop.crop.toGeometry());
        state.eventCount++;
        step.emissions.add(new Emission.EventRaised(AnomalyEvent.newBuilder()
                .setEventId(loop.sopInstanceUid + "/" + event.first.clipIndex())
                .setStudyInstanceUid(state.studyInstanceUid).setSeriesInstanceUid(state.seriesInstanceUid)
                .setSopInstanceUid(loop.sopInstanceUid)
                .setFirstClipIndex(event.first.clipIndex()).setLastClipIndex(event.last.clipIndex())
                .setFirstFrame(event.first.firstFrame()).setLastFrame(event.last.lastFrame())
                .setStartSeconds(event.first.startSeconds()).setEndSeconds(event.last.endSeconds())
                .setPeakScore(event.peak).setMeanScore(event.sum / event.count)
                .setRegion(region).setRule(settings.rule().describe())
                .setModel(new ModelRef(state.modelName, state.modelVersion, loop.encoderSha256, loop.predictorSha256, release.calibrationSha256()))
                .setPreprocessingVersion(state.preprocessingVersion).setDetectedAt(now)
                .build()));
    }

    /** A gap or the end of a loop: an open event ends at its last surprising clip and the rule starts afresh. */
    private void reset(SeriesState state, LoopState loop, Step step, Instant now) {
        if (loop.open != null) {
            closeEvent(state, loop, step, now);
        }
        loop.window.clear();
        loop.tail.clear();
    }

    /** Gives up on the missing clip at the cursor and goes on with the next scored one. */
    private void skipGap(SeriesState state, LoopState loop, Step step, Instant now) {
        reset(state, loop, step, now);
        loop.cursor = loop.pendingScores.firstKey();
        step.gaps++;
        advance(state, loop, step, now);
    }

    private void enforceBounds(SeriesState state, LoopState loop, Step step, Instant now, TensorBuffer tensors) {
        while (loop.pendingScores.size() > settings.maxOutOfOrder()) {
            skipGap(state, loop, step, now);
        }
        // In order, a loop holds one clip (the last one's prediction); each clip out of order adds one.
        while (loop.stored.size() > settings.maxOutOfOrder() + 1) {
            StoredClip oldest = loop.stored.pollFirstEntry().getValue();
            tensors.delete(tensorKey(state, loop, oldest.firstFrame()));
        }
    }

    /** Everything of the loop that can be evaluated is, missing clips become gaps, and its tensors are released. */
    private void finish(SeriesState state, LoopState loop, Step step, Instant now, TensorBuffer tensors) {
        advance(state, loop, step, now);
        while (!loop.pendingScores.isEmpty()) {
            skipGap(state, loop, step, now);
        }
        reset(state, loop, step, now);
        for (StoredClip clip : loop.stored.values()) {
            tensors.delete(tensorKey(state, loop, clip.firstFrame()));
        }
        loop.stored.clear();
    }

    private Emission summary(SeriesState state, Instant now) {
        SeriesRule.Figures figures = new SeriesRule.Figures(state.scoredClips,
                state.scoredClips == 0 ? 0 : state.sumSurprise / state.scoredClips,
                robustMean(state.sumCappedScore, state.maxCappedScore, state.scoredClips),
                state.normativeClips, state.normativeClips == 0 ? 0 : state.sumNormative / state.normativeClips,
                robustMean(state.sumCappedNormative, state.maxCappedNormative, state.normativeClips), state.measures);
        double anomalyScore = seriesRule.score(figures);
        // "combined > threshold" is the release's alarm (docs/onnx-contract.md of the model release).
        boolean flagged = state.eventCount > 0
                || (state.scoredClips > 0 && seriesThreshold.isPresent() && anomalyScore > seriesThreshold.getAsDouble());
        return new Emission.SummaryUpdated(SeriesSummary.newBuilder()
                .setStudyInstanceUid(state.studyInstanceUid).setSeriesInstanceUid(state.seriesInstanceUid)
                .setAnomalyScore(anomalyScore).setFlagged(flagged)
                .setClipCount(state.scoredClips).setEventCount(state.eventCount)
                .setMeanSurprise(figures.meanSurprise())
                .setPeakScore(state.scoredClips == 0 ? 0 : state.peakScore)
                .setNormativeScore(state.normativeClips == 0 ? null : state.sumNormativeScore / state.normativeClips)
                .setStatus(state.closed ? SeriesStatus.CLOSED : SeriesStatus.OPEN)
                .setModel(new ModelRef(state.modelName, state.modelVersion, state.encoderSha256, state.predictorSha256, release.calibrationSha256()))
                .setPreprocessingVersion(state.preprocessingVersion)
                .setFirstClipAt(Instant.ofEpochMilli(state.firstClipAtMillis)).setUpdatedAt(now)
                .build());
    }

    /**
     * The mean of the capped clip scores leaving the highest one out (the only one when there is just one):
     * one surprising clip alone cannot lift the series score, just as it cannot raise an event.
     */
    static double robustMean(double sum, double max, int count) {
        if (count == 0) {
            return 0;
        }
        return count == 1 ? sum : (sum - max) / (count - 1);
    }

    private static final class Step {
        final List<Emission> emissions = new ArrayList<>();
        int gaps;
        int late;
    }
}
