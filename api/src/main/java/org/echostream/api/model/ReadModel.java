package org.echostream.api.model;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.echostream.api.model.Views.Event;
import org.echostream.api.model.Views.Model;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.ModelRef;
import org.echostream.api.feedback.FeedbackLedger;
import org.echostream.api.feedback.FeedbackRules;
import org.echostream.contracts.FeedbackEntry;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.Verdict;

/**
 * The api's view of the topics: studies, series (instances, summary, per-clip surprise, events), study
 * embeddings, recent cine pixels and batch jobs, built by applying records in topic order. Kafka holds
 * the truth; this is rebuilt from offset 0 at every start.
 *
 * <p>Records of one series arrive on several topics in no guaranteed order (the summary may come before
 * the instance record), so every apply method creates what it refers to and nothing assumes an order.
 * One writer thread applies records; request threads read. Patient data is only in {@link StudyRecord}s.
 */
public final class ReadModel {

    private static final DateTimeFormatter DICOM_DATE = DateTimeFormatter.BASIC_ISO_DATE;

    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<String, StudyRecord> studies = new HashMap<>();
    private final Map<String, SeriesState> series = new HashMap<>();
    private final Map<String, Set<String>> seriesByStudy = new HashMap<>();
    private final Map<String, String> seriesBySop = new HashMap<>();
    private final Map<String, JobCommand> jobCommands = new HashMap<>();
    private final Map<String, JobStatus> jobStatuses = new HashMap<>();
    private final Map<String, StudyStatus> studyStatuses = new HashMap<>();
    private final StudyEmbeddings embeddings = new StudyEmbeddings();
    private final CineStore cine;
    /** Series whose last feedback record lacked answers held here: the union must be written again (see FeedbackLedger). */
    private final Set<String> feedbackToRepublish = new TreeSet<>();

    /** A clip's surprise without boxing: 392 tokens are 1.5 KB as floats, 6 KB as a List<Float>. */
    private record ClipScore(int clipIndex, int firstFrame, int frameCount, double startSeconds, double endSeconds,
                             double clipSurprise, double clipScore, Double normativeScore, int[] grid, float[] tokens,
                             CropGeometry crop, double fps, float maxToken) {
    }

    private static final class SeriesState {
        final String uid;
        String study;
        final Map<String, InstanceRecord> instances = new TreeMap<>();
        SeriesSummary summary;
        final Map<String, NavigableMap<Integer, ClipScore>> clips = new TreeMap<>();
        final Map<String, AnomalyEvent> events = new LinkedHashMap<>();
        ModelRef model;
        String preprocessing;
        Instant updatedAt;
        FeedbackLedger feedback;

        SeriesState(String uid, String study) {
            this.uid = uid;
            this.study = study;
        }
    }

    public ReadModel(CineStore cine) {
        this.cine = cine;
    }

    // ---- writes ------------------------------------------------------------------------------------

    public Applied apply(StudyRecord study) {
        return write(() -> {
            studies.put(study.getStudyInstanceUid(), study);
            seriesByStudy.computeIfAbsent(study.getStudyInstanceUid(), s -> new TreeSet<>());
            return Applied.stored();
        });
    }

    /** A tombstone on the compacted studies topic: the patient data is erased from the view too. */
    public Applied removeStudy(String studyUid) {
        return write(() -> studies.remove(studyUid) == null ? new Applied.Ignored("no study " + studyUid) : new Applied.Stored(false));
    }

    public Applied apply(InstanceRecord instance) {
        return write(() -> {
            SeriesState s = seriesOf(instance.getStudyInstanceUid(), instance.getSeriesInstanceUid());
            boolean first = s.instances.put(instance.getSopInstanceUid(), instance) == null;
            seriesBySop.put(instance.getSopInstanceUid(), s.uid);
            touch(s, instance.getReceivedAt());
            return new Applied.Stored(first);
        });
    }

    public Applied removeInstance(String sopUid) {
        return write(() -> {
            String seriesUid = seriesBySop.remove(sopUid);
            SeriesState s = seriesUid == null ? null : series.get(seriesUid);
            return s != null && s.instances.remove(sopUid) != null ? new Applied.Stored(false) : new Applied.Ignored("no instance " + sopUid);
        });
    }

    public Applied apply(SeriesSummary summary) {
        return write(() -> {
            SeriesState s = seriesOf(summary.getStudyInstanceUid(), summary.getSeriesInstanceUid());
            if (s.summary != null && s.summary.getUpdatedAt().isAfter(summary.getUpdatedAt())) {
                return new Applied.Ignored("summary of " + summary.getUpdatedAt() + " is older than the one held");
            }
            boolean first = s.summary == null;
            s.summary = summary;
            s.model = summary.getModel();
            s.preprocessing = summary.getPreprocessingVersion();
            touch(s, summary.getUpdatedAt());
            return new Applied.Stored(first);
        });
    }

    public Applied removeSummary(String seriesUid) {
        return write(() -> {
            SeriesState s = series.get(seriesUid);
            if (s == null || s.summary == null) {
                return new Applied.Ignored("no summary for " + seriesUid);
            }
            s.summary = null;
            return new Applied.Stored(false);
        });
    }

    public Applied apply(ClipSurprise surprise) {
        var ref = surprise.getRef();
        List<Integer> grid = surprise.getTokenGrid();
        if (grid.size() != 3 || grid.stream().anyMatch(g -> g < 1)) {
            return Applied.invalid("surprise of clip " + ref.getSopInstanceUid() + "/" + ref.getClipIndex() + ": token grid " + grid + " is not [time, rows, columns]");
        }
        int tokens = grid.get(0) * grid.get(1) * grid.get(2);
        if (surprise.getTokenSurprise().size() != tokens) {
            return Applied.invalid("surprise of clip " + ref.getSopInstanceUid() + "/" + ref.getClipIndex() + ": token grid " + grid
                    + " has " + tokens + " tokens, the map has " + surprise.getTokenSurprise().size() + " values");
        }
        float[] values = new float[tokens];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < tokens; i++) {
            values[i] = surprise.getTokenSurprise().get(i);
            if (!Float.isFinite(values[i])) {
                return Applied.invalid("surprise of clip " + ref.getSopInstanceUid() + "/" + ref.getClipIndex() + ": token " + i + " is " + values[i]);
            }
            max = Math.max(max, values[i]);
        }
        ClipScore score = new ClipScore(ref.getClipIndex(), ref.getFirstFrame(), ref.getFrameCount(), ref.getStartSeconds(), ref.getEndSeconds(),
                surprise.getClipSurprise(), surprise.getClipScore(), surprise.getNormativeScore(),
                new int[] {grid.get(0), grid.get(1), grid.get(2)}, values, surprise.getCrop(), surprise.getFps(), max);
        return write(() -> {
            SeriesState s = seriesOf(ref.getStudyInstanceUid(), ref.getSeriesInstanceUid());
            boolean first = s.clips.computeIfAbsent(ref.getSopInstanceUid(), k -> new TreeMap<>()).put(ref.getClipIndex(), score) == null;
            if (s.model == null) {
                s.model = surprise.getModel();
                s.preprocessing = surprise.getPreprocessingVersion();
            }
            touch(s, surprise.getComputedAt());
            return new Applied.Stored(first);
        });
    }

    public Applied apply(AnomalyEvent event) {
        return write(() -> {
            SeriesState s = seriesOf(event.getStudyInstanceUid(), event.getSeriesInstanceUid());
            boolean first = s.events.put(event.getEventId(), event) == null;
            touch(s, event.getDetectedAt());
            return new Applied.Stored(first);
        });
    }

    public Applied apply(ClipLatents latents) {
        var ref = latents.getRef();
        ModelRef model = latents.getModel();
        return write(() -> embeddings.add(ref.getStudyInstanceUid(), model.getName() + "@" + model.getVersion(),
                ref.getSeriesInstanceUid() + "/" + ref.getSopInstanceUid() + "/" + ref.getClipIndex(), latents.getPooledEmbedding()));
    }

    /** Clinicians' answers on a series; merged by entry id, never replacing answers held (see {@link FeedbackLedger}). */
    public Applied apply(SeriesFeedback record) {
        return write(() -> {
            SeriesState s = seriesOf(record.getStudyInstanceUid(), record.getSeriesInstanceUid());
            if (s.feedback == null) {
                s.feedback = new FeedbackLedger(s.uid, s.study);
            }
            FeedbackLedger.Merge merge = s.feedback.merge(record);
            if (merge.lackedHeld() > 0) {
                feedbackToRepublish.add(s.uid);
            } else {
                feedbackToRepublish.remove(s.uid);
            }
            return merge.added() > 0 ? new Applied.Stored(true) : new Applied.Ignored("feedback revision " + record.getRevision()
                    + " of series " + s.uid + " brought no new answer");
        });
    }

    /** A tombstone on feedback.v1: every answer on the series is erased from the view. */
    public Applied removeFeedback(String seriesUid) {
        return write(() -> {
            SeriesState s = series.get(seriesUid);
            if (s == null || s.feedback == null) {
                return new Applied.Ignored("no feedback on series " + seriesUid);
            }
            s.feedback = null;
            feedbackToRepublish.remove(seriesUid);
            return new Applied.Stored(false);
        });
    }

    /** The feedback records to write again because a later record lacked answers held here; clears the list. */
    public List<SeriesFeedback> takeFeedbackToRepublish(Instant now) {
        return write(() -> {
            List<SeriesFeedback> out = feedbackToRepublish.stream().map(series::get).filter(java.util.Objects::nonNull)
                    .map(s -> s.feedback.whole(now)).toList();
            feedbackToRepublish.clear();
            return out;
        });
    }

    /** The manufacturer the instance record of a loop names, or null (no record yet, or the DICOM did not say). */
    public String manufacturerOf(String seriesUid, String sopUid) {
        return read(() -> {
            SeriesState s = series.get(seriesUid);
            InstanceRecord instance = s == null ? null : s.instances.get(sopUid);
            return instance == null ? null : instance.getManufacturer();
        });
    }

    /** What an answer on the series is checked against, or empty when there is no such series. */
    public Optional<FeedbackRules.SeriesFacts> feedbackFacts(String seriesUid) {
        return read(() -> Optional.ofNullable(series.get(seriesUid)).map(s -> new FeedbackRules.SeriesFacts(s.uid, s.study,
                Set.copyOf(s.events.keySet()), s.summary != null && s.summary.getFlagged(), s.summary == null ? null : s.summary.getAnomalyScore(),
                s.model)));
    }

    /** The record that adds {@code entry} to what is held for the series (whole history, revision + 1). */
    public SeriesFeedback nextFeedback(String seriesUid, String studyUid, FeedbackEntry entry, Instant now) {
        return read(() -> {
            SeriesState s = series.get(seriesUid);
            FeedbackLedger ledger = s == null || s.feedback == null ? new FeedbackLedger(seriesUid, studyUid) : s.feedback;
            SeriesFeedback next = ledger.with(entry, now);
            next.setStudyInstanceUid(studyUid);
            return next;
        });
    }

    public Optional<Views.SeriesFeedback> feedback(String seriesUid) {
        return read(() -> Optional.ofNullable(series.get(seriesUid)).map(s -> {
            FeedbackLedger ledger = s.feedback == null ? new FeedbackLedger(s.uid, s.study) : s.feedback;
            return new Views.SeriesFeedback(s.uid, s.study, ledger.revision(), seriesFeedback(s),
                    ledger.current().stream().map(Views.FeedbackAnswer::of).toList(),
                    ledger.history().stream().map(Views.FeedbackAnswer::of).toList());
        }));
    }

    public Applied apply(Clip clip) {
        return cine.put(clip);
    }

    public Applied apply(JobCommand command) {
        return write(() -> new Applied.Stored(jobCommands.put(command.getJobId(), command) == null));
    }

    public Applied apply(JobStatus status) {
        return write(() -> new Applied.Stored(jobStatuses.put(status.getJobId(), status) == null));
    }

    /** Ingest's completeness of a study; a lower version than the one held is stale (compaction may reorder nothing, a replay may). */
    public Applied apply(StudyStatus status) {
        return write(() -> {
            StudyStatus held = studyStatuses.get(status.getStudyInstanceUid());
            if (held != null && held.getVersion() > status.getVersion()) {
                return new Applied.Ignored("study status " + status.getStudyInstanceUid() + " version " + status.getVersion() + " is older than "
                        + held.getVersion());
            }
            studyStatuses.put(status.getStudyInstanceUid(), status);
            return new Applied.Stored(held == null);
        });
    }

    public Applied removeStudyStatus(String studyUid) {
        return write(() -> studyStatuses.remove(studyUid) == null ? new Applied.Ignored("no study status " + studyUid) : new Applied.Stored(false));
    }

    public Applied removeJobStatus(String jobId) {
        return write(() -> jobStatuses.remove(jobId) == null ? new Applied.Ignored("no job " + jobId) : new Applied.Stored(false));
    }

    // ---- reads -------------------------------------------------------------------------------------

    public List<Views.StudyListItem> studies(StudyQuery query) {
        return read(() -> {
            List<Views.StudyListItem> rows = new ArrayList<>();
            for (String uid : seriesByStudy.keySet()) {
                StudyRecord study = studies.get(uid);
                StudyAggregate agg = aggregate(uid);
                if (!matches(query, uid, study, agg)) {
                    continue;
                }
                rows.add(new Views.StudyListItem(uid, patient(study), study == null ? null : study.getStudyDate(),
                        study == null ? null : study.getStudyDescription(), study == null ? null : study.getAccessionNumber(),
                        agg.series.size(), agg.flagged, agg.maxScore, agg.events, agg.status, latest(study, agg), completeness(uid),
                        agg.feedback));
            }
            rows.sort(Comparator.comparing((Views.StudyListItem r) -> !r.flagged())
                    .thenComparing(r -> r.maxScore() == null ? Double.POSITIVE_INFINITY : -r.maxScore())
                    .thenComparing(r -> r.studyDate() == null ? "" : r.studyDate(), Comparator.reverseOrder())
                    .thenComparing(Views.StudyListItem::studyInstanceUid));
            int from = Math.min(query.offset(), rows.size());
            return List.copyOf(rows.subList(from, Math.min(rows.size(), from + query.limit())));
        });
    }

    public Optional<Views.StudyDetail> study(String uid) {
        return read(() -> {
            if (!seriesByStudy.containsKey(uid)) {
                return Optional.empty();
            }
            StudyRecord s = studies.get(uid);
            StudyAggregate agg = aggregate(uid);
            return Optional.of(new Views.StudyDetail(uid, patient(s), s == null ? null : s.getStudyDate(), s == null ? null : s.getStudyTime(),
                    s == null ? null : s.getStudyDescription(), s == null ? null : s.getAccessionNumber(),
                    s == null ? null : s.getInstitutionName(), agg.flagged, agg.maxScore, agg.events, agg.status, agg.series, completeness(uid)));
        });
    }

    private Views.Completeness completeness(String studyUid) {
        StudyStatus s = studyStatuses.get(studyUid);
        if (s == null) {
            return Views.Completeness.UNKNOWN;
        }
        return new Views.Completeness(s.getState().name(), s.getVersion(), s.getInstancesReceived(), s.getInstancesExpected(), s.getFinalReason(),
                s.getFinalisedAt());
    }

    /** Every series, flagged first then by score; {@code flagged} null for all. */
    public List<Views.SeriesItem> series(Boolean flagged, int limit) {
        return read(() -> series.values().stream()
                .map(this::item)
                .filter(i -> flagged == null || i.flagged() == flagged)
                .sorted(Comparator.comparing((Views.SeriesItem i) -> !i.flagged())
                        .thenComparing(i -> i.anomalyScore() == null ? Double.POSITIVE_INFINITY : -i.anomalyScore())
                        .thenComparing(Views.SeriesItem::seriesInstanceUid))
                .limit(limit)
                .toList());
    }

    public Optional<Views.SeriesDetail> seriesDetail(String uid) {
        return read(() -> Optional.ofNullable(series.get(uid)).map(s -> {
            SeriesSummary sum = s.summary;
            InstanceRecord any = s.instances.values().stream().findFirst().orElse(null);
            List<Views.Instance> instances = s.instances.values().stream()
                    .map(i -> new Views.Instance(i.getSopInstanceUid(), i.getFrames(), i.getFrameTimeMillis(), i.getVerdict().name(),
                            i.getReasonCode(), i.getReasonDetail(), i.getClipCount(), i.getHeartRateBpm(), i.getManufacturer()))
                    .toList();
            return new Views.SeriesDetail(uid, s.study, any == null ? null : any.getSeriesNumber(), any == null ? null : any.getSeriesDescription(),
                    any == null ? null : any.getModality(), sum == null ? null : sum.getAnomalyScore(), sum != null && sum.getFlagged(),
                    sum == null ? scoredClips(s) : sum.getClipCount(), clipsCut(s), frames(s),
                    sum == null ? null : sum.getMeanSurprise(), sum == null ? null : sum.getPeakScore(),
                    sum == null ? null : sum.getNormativeScore(), seriesStatus(s), events(s), instances, loops(s),
                    Model.of(s.model, s.preprocessing), s.updatedAt);
        }));
    }

    public Optional<Views.Timeline> timeline(String uid) {
        return read(() -> Optional.ofNullable(series.get(uid)).map(s -> {
            List<Views.LoopTimeline> loops = new ArrayList<>();
            Set<String> sops = new TreeSet<>(s.clips.keySet());
            s.events.values().forEach(e -> sops.add(e.getSopInstanceUid()));
            for (String sop : sops) {
                NavigableMap<Integer, ClipScore> clips = s.clips.getOrDefault(sop, new TreeMap<>());
                List<Views.TimelinePoint> points = clips.values().stream()
                        .map(c -> new Views.TimelinePoint(c.clipIndex(), c.firstFrame(), c.startSeconds(), c.endSeconds(),
                                c.clipSurprise(), c.clipScore(), c.normativeScore()))
                        .toList();
                double fps = clips.isEmpty() ? 0 : clips.firstEntry().getValue().fps();
                loops.add(new Views.LoopTimeline(sop, fps, points,
                        events(s).stream().filter(e -> e.sopInstanceUid().equals(sop)).toList()));
            }
            return new Views.Timeline(uid, Model.of(s.model, s.preprocessing), loops);
        }));
    }

    public KeyframeLookup keyframe(String seriesUid, String sop, int clipIndex) {
        return read(() -> {
            SeriesState s = series.get(seriesUid);
            if (s == null) {
                return new KeyframeLookup.NotFound("no series " + seriesUid);
            }
            NavigableMap<Integer, ClipScore> clips = s.clips.get(sop);
            ClipScore score = clips == null ? null : clips.get(clipIndex);
            Optional<CineStore.LoopPixels> pixels = cine.loop(seriesUid, sop);
            if (score == null && pixels.isEmpty()) {
                return new KeyframeLookup.NotFound("series " + seriesUid + " has no clip " + clipIndex + " in loop " + sop);
            }
            Integer frameIndex = score != null ? Integer.valueOf(score.firstFrame() + score.frameCount() / 2)
                    : pixels.get().middleFrames().get(clipIndex);
            if (frameIndex == null) {
                return new KeyframeLookup.NotFound("series " + seriesUid + " has no clip " + clipIndex + " in loop " + sop);
            }
            byte[] frame = pixels.map(p -> p.frames().get(frameIndex)).orElse(null);
            if (frame == null) {
                return new KeyframeLookup.PixelsNotHeld("frame " + frameIndex + " of loop " + sop + " of series " + seriesUid
                        + " is not held: the api keeps the most recent loops within its cine budget, and the clips topic keeps 3 days");
            }
            CineStore.LoopPixels p = pixels.get();
            double scaleMax = clips == null ? 0 : clips.values().stream().mapToDouble(ClipScore::maxToken).max().orElse(0);
            return new KeyframeLookup.Found(p.width(), p.height(), frame, frameIndex, p.crop(),
                    score == null ? null : score.grid().clone(), score == null ? null : score.tokens().clone(), scaleMax,
                    score == null ? null : score.clipScore(),
                    s.events.values().stream()
                            .filter(e -> e.getSopInstanceUid().equals(sop) && e.getFirstClipIndex() <= clipIndex && clipIndex <= e.getLastClipIndex())
                            .map(e -> Event.of(e).region()).toList());
        });
    }

    public Optional<CineStore.LoopPixels> cine(String seriesUid, String sop) {
        return cine.loop(seriesUid, sop);
    }

    public Optional<Views.Similar> similar(String studyUid, int limit) {
        return read(() -> embeddings.nearest(studyUid, limit).map(result -> {
            List<Views.SimilarStudy> neighbours = result.neighbours().stream().map(n -> {
                StudyRecord s = studies.get(n.study());
                StudyAggregate agg = aggregate(n.study());
                return new Views.SimilarStudy(n.study(), n.similarity(), s == null ? null : s.getStudyDate(),
                        s == null ? null : s.getStudyDescription(), agg.flagged, agg.maxScore, n.clips());
            }).toList();
            String[] model = result.modelKey().split("@", 2);
            return new Views.Similar(studyUid, model[0], model.length > 1 ? model[1] : "", result.candidates(), neighbours);
        }));
    }

    public boolean hasStudy(String uid) {
        return read(() -> seriesByStudy.containsKey(uid));
    }

    /** Most recently detected events first. */
    public List<Event> recentEvents(Instant since, int limit) {
        return read(() -> series.values().stream()
                .flatMap(s -> s.events.values().stream())
                .filter(e -> since == null || !e.getDetectedAt().isBefore(since))
                .sorted(Comparator.comparing(AnomalyEvent::getDetectedAt).reversed().thenComparing(AnomalyEvent::getEventId))
                .limit(limit)
                .map(Event::of)
                .toList());
    }

    public List<Views.Job> jobs() {
        return read(() -> {
            Set<String> ids = new TreeSet<>(jobCommands.keySet());
            ids.addAll(jobStatuses.keySet());
            return ids.stream().map(this::jobView)
                    .sorted(Comparator.comparing((Views.Job j) -> j.updatedAt() == null ? j.requestedAt() : j.updatedAt(),
                            Comparator.nullsLast(Comparator.reverseOrder())).thenComparing(Views.Job::jobId))
                    .toList();
        });
    }

    public Optional<Views.Job> job(String jobId) {
        return read(() -> jobCommands.containsKey(jobId) || jobStatuses.containsKey(jobId) ? Optional.of(jobView(jobId)) : Optional.empty());
    }

    public int studyCount() {
        return read(seriesByStudy::size);
    }

    public int seriesCount() {
        return read(series::size);
    }

    public CineStore cineStore() {
        return cine;
    }

    // ---- internals ---------------------------------------------------------------------------------

    private record StudyAggregate(List<Views.SeriesItem> series, boolean flagged, Double maxScore, int events, String status,
                                  Instant updatedAt, Views.Feedback feedback) {
    }

    private StudyAggregate aggregate(String studyUid) {
        List<Views.SeriesItem> items = seriesByStudy.getOrDefault(studyUid, Set.of()).stream()
                .map(series::get).map(this::item).toList();
        boolean flagged = items.stream().anyMatch(Views.SeriesItem::flagged);
        Double max = items.stream().map(Views.SeriesItem::anomalyScore).filter(java.util.Objects::nonNull).max(Double::compare).orElse(null);
        int events = items.stream().mapToInt(Views.SeriesItem::eventCount).sum();
        Instant updated = seriesByStudy.getOrDefault(studyUid, Set.of()).stream().map(series::get)
                .map(s -> s.updatedAt).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()).orElse(null);
        return new StudyAggregate(items, flagged, max, events, studyStatus(items), updated, studyFeedback(studyUid, flagged));
    }

    /** A study is reviewed when each flagged series has an answer; an unflagged study when anything of it was answered. */
    private Views.Feedback studyFeedback(String studyUid, boolean flagged) {
        int agree = 0;
        int disagree = 0;
        int uncertain = 0;
        Set<String> reviewers = new TreeSet<>();
        boolean anyAnswered = false;
        boolean everyFlaggedAnswered = true;
        for (String uid : seriesByStudy.getOrDefault(studyUid, Set.of())) {
            SeriesState s = series.get(uid);
            boolean answered = s.feedback != null && s.feedback.answered();
            anyAnswered |= answered;
            if (s.summary != null && s.summary.getFlagged() && !answered) {
                everyFlaggedAnswered = false;
            }
            if (answered) {
                FeedbackLedger.Counts c = s.feedback.counts();
                agree += c.agree();
                disagree += c.disagree();
                uncertain += c.uncertain();
                s.feedback.current().forEach(e -> reviewers.add(e.getClinician()));
            }
        }
        boolean reviewed = flagged ? everyFlaggedAnswered : anyAnswered;
        return new Views.Feedback(agree, disagree, uncertain, reviewers.size(), reviewed, flagged && !reviewed);
    }

    private static Views.Feedback seriesFeedback(SeriesState s) {
        boolean flagged = s.summary != null && s.summary.getFlagged();
        if (s.feedback == null || !s.feedback.answered()) {
            return new Views.Feedback(0, 0, 0, 0, false, flagged);
        }
        FeedbackLedger.Counts c = s.feedback.counts();
        return new Views.Feedback(c.agree(), c.disagree(), c.uncertain(), c.reviewers(), true, false);
    }

    private static String studyStatus(List<Views.SeriesItem> items) {
        if (items.isEmpty() || items.stream().allMatch(i -> i.status().equals("RECEIVED"))) {
            return "RECEIVED";
        }
        if (items.stream().anyMatch(i -> i.status().equals("PENDING") || i.status().equals(SeriesStatus.OPEN.name()))) {
            return "IN_PROGRESS";
        }
        if (items.stream().anyMatch(i -> i.status().equals(SeriesStatus.CLOSED.name()))) {
            return "SCORED";
        }
        return "NOT_SCORED";
    }

    /** OPEN/CLOSED from the anomaly service; PENDING (clips cut, no score yet), NOT_SCORED, or RECEIVED before that. */
    private static String seriesStatus(SeriesState s) {
        if (s.summary != null) {
            return s.summary.getStatus().name();
        }
        if (clipsCut(s) > 0 || !s.clips.isEmpty()) {
            return "PENDING";
        }
        if (!s.instances.isEmpty() && s.instances.values().stream().noneMatch(i -> i.getVerdict() == Verdict.CLIPS)) {
            return "NOT_SCORED";
        }
        return "RECEIVED";
    }

    private Views.SeriesItem item(SeriesState s) {
        SeriesSummary sum = s.summary;
        InstanceRecord any = s.instances.values().stream().findFirst().orElse(null);
        return new Views.SeriesItem(s.uid, s.study, any == null ? null : any.getSeriesNumber(), any == null ? null : any.getSeriesDescription(),
                any == null ? null : any.getModality(), s.instances.size(), frames(s), clipsCut(s),
                sum == null ? scoredClips(s) : sum.getClipCount(), sum == null ? null : sum.getAnomalyScore(),
                sum != null && sum.getFlagged(), Math.max(s.events.size(), sum == null ? 0 : sum.getEventCount()), seriesStatus(s),
                Model.of(s.model, s.preprocessing), seriesFeedback(s));
    }

    private static int frames(SeriesState s) {
        return s.instances.values().stream().mapToInt(InstanceRecord::getFrames).sum();
    }

    private static int clipsCut(SeriesState s) {
        return s.instances.values().stream().mapToInt(InstanceRecord::getClipCount).sum();
    }

    private static int scoredClips(SeriesState s) {
        return s.clips.values().stream().mapToInt(Map::size).sum();
    }

    private List<Views.Loop> loops(SeriesState s) {
        Set<String> sops = new TreeSet<>(s.clips.keySet());
        s.instances.values().stream().filter(i -> i.getVerdict() == Verdict.CLIPS).forEach(i -> sops.add(i.getSopInstanceUid()));
        return sops.stream().map(sop -> {
            NavigableMap<Integer, ClipScore> clips = s.clips.get(sop);
            double fps = clips == null || clips.isEmpty() ? 0 : clips.firstEntry().getValue().fps();
            return new Views.Loop(sop, clips == null ? 0 : clips.size(), cine.framesHeld(s.uid, sop), fps);
        }).toList();
    }

    private static List<Event> events(SeriesState s) {
        return s.events.values().stream()
                .sorted(Comparator.comparing(AnomalyEvent::getSopInstanceUid).thenComparingInt(AnomalyEvent::getFirstFrame))
                .map(Event::of).toList();
    }

    private boolean matches(StudyQuery q, String uid, StudyRecord study, StudyAggregate agg) {
        if (q.flagged() != null && agg.flagged != q.flagged()) {
            return false;
        }
        if (q.reviewed() != null && agg.feedback.reviewed() != q.reviewed()) {
            return false;
        }
        if (q.status() != null && !q.status().equals(agg.status)) {
            return false;
        }
        if (q.from() != null || q.to() != null) {
            LocalDate date = study == null ? null : parseDate(study.getStudyDate());
            if (date == null || (q.from() != null && date.isBefore(q.from())) || (q.to() != null && date.isAfter(q.to()))) {
                return false;
            }
        }
        if (q.text() != null) {
            String haystack = (uid + "\n" + (study == null ? "" : String.join("\n", nz(study.getPatientName()), nz(study.getPatientId()),
                    nz(study.getAccessionNumber()), nz(study.getStudyDescription())))).toLowerCase(java.util.Locale.ROOT);
            return haystack.contains(q.text());
        }
        return true;
    }

    private static LocalDate parseDate(String dicomDate) {
        if (dicomDate == null) {
            return null;
        }
        try {
            return LocalDate.parse(dicomDate.strip(), DICOM_DATE);
        } catch (DateTimeParseException e) {
            return null; // a malformed DA never matches a date range; the row still shows what was received
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static Views.Patient patient(StudyRecord s) {
        return s == null ? null : new Views.Patient(s.getPatientId(), s.getPatientName(), s.getPatientBirthDate(), s.getPatientSex());
    }

    private static Instant latest(StudyRecord study, StudyAggregate agg) {
        Instant a = study == null ? null : study.getUpdatedAt();
        Instant b = agg.updatedAt;
        return a == null ? b : b == null ? a : (a.isAfter(b) ? a : b);
    }

    private Views.Job jobView(String id) {
        JobCommand c = jobCommands.get(id);
        JobStatus st = jobStatuses.get(id);
        return new Views.Job(id, st != null ? st.getKind() : c.getKind(), st != null ? st.getState().name() : "SUBMITTED",
                c == null ? List.of() : List.copyOf(c.getPaths()), c == null ? null : c.getRequestedBy(),
                c == null ? null : c.getRequestedAt(), st == null ? null : st.getTotal(), st == null ? 0 : st.getIngested(),
                st == null ? 0 : st.getSkipped(), st == null ? 0 : st.getRejected(),
                st == null ? Map.of() : Map.copyOf(st.getRejectedByReason()), st == null ? 0 : st.getBytes(),
                st == null ? null : st.getItemsPerSecond(), st == null ? null : st.getEtaSeconds(),
                st == null ? null : st.getMessage(), st == null ? null : st.getStartedAt(), st == null ? null : st.getUpdatedAt());
    }

    private SeriesState seriesOf(String studyUid, String seriesUid) {
        SeriesState s = series.computeIfAbsent(seriesUid, uid -> new SeriesState(uid, studyUid));
        if (!s.study.equals(studyUid)) {
            // A series belongs to one study in DICOM; the latest record wins rather than keeping it in two worklist rows.
            seriesByStudy.getOrDefault(s.study, new TreeSet<>()).remove(seriesUid);
            s.study = studyUid;
        }
        seriesByStudy.computeIfAbsent(studyUid, k -> new TreeSet<>()).add(seriesUid);
        return s;
    }

    private static void touch(SeriesState s, Instant at) {
        if (at != null && (s.updatedAt == null || at.isAfter(s.updatedAt))) {
            s.updatedAt = at;
        }
    }

    private <T> T write(Supplier<T> change) {
        lock.writeLock().lock();
        try {
            return change.get();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private <T> T read(Supplier<T> query) {
        lock.readLock().lock();
        try {
            return query.get();
        } finally {
            lock.readLock().unlock();
        }
    }
}
