package org.echostream.api.model;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.PixelRegion;

/**
 * What the read model answers: immutable records, built under the read lock and safe to hand to any
 * thread. Only {@link StudyListItem}, {@link StudyDetail} and {@link Patient} carry patient data, and the free-text
 * comments of {@link FeedbackAnswer}.
 */
public final class Views {

    private Views() {
    }

    /** An answer about one study: the audit trail records which studies a response showed. */
    public interface OfStudy {
        String studyInstanceUid();
    }

    /**
     * Which model, calibration and preprocessing produced a score; travels with every model-derived answer.
     * {@code calibrationSha256} is null for scores written before the anomaly service recorded it.
     */
    public record Model(String name, String version, String encoderSha256, String predictorSha256, String calibrationSha256,
                        String preprocessingVersion) {
        public static Model of(ModelRef ref, String preprocessingVersion) {
            return ref == null ? null
                    : new Model(ref.getName(), ref.getVersion(), ref.getEncoderSha256(), ref.getPredictorSha256(),
                            ref.getCalibrationSha256(), preprocessingVersion);
        }
    }

    public record Patient(String patientId, String patientName, String birthDate, String sex) {
    }

    /**
     * Worklist row. {@code status}: RECEIVED (metadata only), IN_PROGRESS (clips still being scored),
     * SCORED (every loop with clips has a closed score), NOT_SCORED (nothing in the study could be scored).
     */
    public record StudyListItem(String studyInstanceUid, Patient patient, String studyDate, String studyDescription,
                                String accessionNumber, int seriesCount, boolean flagged, Double maxScore, int eventCount,
                                String status, Instant updatedAt, Completeness completeness, Feedback feedback) implements OfStudy {
    }

    /**
     * Clinicians' answers in force (each one's latest per target) on a series or a study. {@code reviewed}: a study
     * counts as reviewed when every flagged series has an answer (any clinician, on the series or one of its events),
     * an unflagged one when anything of it was answered; {@code awaitingReview}: flagged and not reviewed.
     */
    public record Feedback(int agree, int disagree, int uncertain, int reviewers, boolean reviewed, boolean awaitingReview) {
        public static final Feedback NONE = new Feedback(0, 0, 0, 0, false, false);
    }

    /** One answer as the API shows it. {@code comment} is the clinician's text (shown to signed-in users, never logged). */
    public record FeedbackAnswer(String entryId, String eventId, String clinician, String answer, String finding, Integer segment,
                                 String comment, boolean flaggedWhenAnswered, Double scoreWhenAnswered, Instant answeredAt) {
        public static FeedbackAnswer of(org.echostream.contracts.FeedbackEntry e) {
            return new FeedbackAnswer(e.getEntryId(), e.getEventId(), e.getClinician(), e.getAnswer().name(),
                    e.getFinding() == null ? null : e.getFinding().name(), e.getSegment(), e.getComment(), e.getFlaggedWhenAnswered(),
                    e.getScoreWhenAnswered(), e.getAnsweredAt());
        }
    }

    /** {@code GET /api/v1/series/{uid}/feedback}: the answers in force and the whole history, oldest first. */
    public record SeriesFeedback(String seriesInstanceUid, String studyInstanceUid, int revision, Feedback summary,
                                 List<FeedbackAnswer> current, List<FeedbackAnswer> history) implements OfStudy {
    }

    public record StudyDetail(String studyInstanceUid, Patient patient, String studyDate, String studyTime,
                              String studyDescription, String accessionNumber, String institutionName, boolean flagged,
                              Double maxScore, int eventCount, String status, List<SeriesItem> series, Completeness completeness) implements OfStudy {
    }

    /**
     * Whether the study's result is provisional (instances may still arrive) or final, from ingest's study-status.v1;
     * {@code state} UNKNOWN while no status was read (a study ingested before completeness tracking).
     *
     * @param version     1 at the first finalisation, +1 each time instances arrived after FINAL
     * @param finalReason ANNOUNCED_COUNT_REACHED, ASSOCIATION_RELEASED_AND_QUIET or INACTIVITY when FINAL
     */
    public record Completeness(String state, Integer version, Integer instancesReceived, Integer instancesExpected, String finalReason,
                               Instant finalisedAt) {
        public static final Completeness UNKNOWN = new Completeness("UNKNOWN", null, null, null, null, null);
    }

    /** One series as listed under a study; no patient data. */
    public record SeriesItem(String seriesInstanceUid, String studyInstanceUid, Integer seriesNumber, String seriesDescription,
                             String modality, int instances, int frames, int clipsCut, int clipsScored, Double anomalyScore,
                             boolean flagged, int eventCount, String status, Model model, Feedback feedback) implements OfStudy {
    }

    public record Instance(String sopInstanceUid, int frames, Double frameTimeMillis, String verdict, String reasonCode,
                           String reasonDetail, int clipCount, Double heartRateBpm, String manufacturer) {
    }

    public record Region(int rowStart, int rowEnd, int colStart, int colEnd, int sourceX, int sourceY, int sourceWidth,
                         int sourceHeight) {
    }

    public record Event(String eventId, String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid,
                        int firstClipIndex, int lastClipIndex, int firstFrame, int lastFrame, double startSeconds,
                        double endSeconds, double peakScore, double meanScore, Region region, String rule, Model model,
                        Instant detectedAt) implements OfStudy {
        public static Event of(AnomalyEvent e) {
            PixelRegion p = e.getRegion().getSource();
            var r = e.getRegion();
            return new Event(e.getEventId(), e.getStudyInstanceUid(), e.getSeriesInstanceUid(), e.getSopInstanceUid(),
                    e.getFirstClipIndex(), e.getLastClipIndex(), e.getFirstFrame(), e.getLastFrame(), e.getStartSeconds(),
                    e.getEndSeconds(), e.getPeakScore(), e.getMeanScore(),
                    new Region(r.getRowStart(), r.getRowEnd(), r.getColStart(), r.getColEnd(), p.getX(), p.getY(), p.getWidth(), p.getHeight()),
                    e.getRule(), Model.of(e.getModel(), e.getPreprocessingVersion()), e.getDetectedAt());
        }
    }

    /**
     * The series answer of {@code GET /api/v1/series/{uid}}. {@code clips} counts scored clips (compared with
     * a prediction); {@code anomalyScore}/{@code flagged} are null/false until the anomaly service scored it.
     */
    public record SeriesDetail(String seriesInstanceUid, String studyInstanceUid, Integer seriesNumber, String seriesDescription,
                               String modality, Double anomalyScore, boolean flagged, int clips, int clipsCut, int frames,
                               Double meanSurprise, Double peakScore, Double normativeScore, String status, List<Event> events,
                               List<Instance> instances, List<Loop> loops, Model model, Instant updatedAt) implements OfStudy {
    }

    /** A cine loop (one SOP instance) of a series, and what the api holds of it. */
    public record Loop(String sopInstanceUid, int clipsScored, int framesHeld, double fps) {
    }

    public record TimelinePoint(int clipIndex, int firstFrame, double startSeconds, double endSeconds, double clipSurprise,
                                double clipScore, Double normativeScore) {
    }

    public record LoopTimeline(String sopInstanceUid, double fps, List<TimelinePoint> points, List<Event> events) {
    }

    public record Timeline(String seriesInstanceUid, Model model, List<LoopTimeline> loops) {
    }

    /** A nearest neighbour; no patient identifiers of the other study (opening it is a separate, audited access). */
    public record SimilarStudy(String studyInstanceUid, double similarity, String studyDate, String studyDescription,
                               boolean flagged, Double maxScore, int clipsEmbedded) implements OfStudy {
    }

    public record Similar(String studyInstanceUid, String modelName, String modelVersion, int candidates,
                          List<SimilarStudy> neighbours) implements OfStudy {
    }

    /** A batch job: what was asked (JobCommand) and how far ingest got (JobStatus), state SUBMITTED until ingest reports. */
    public record Job(String jobId, String kind, String state, List<String> paths, String requestedBy, Instant requestedAt,
                      Long total, long ingested, long skipped, long rejected, Map<String, Long> rejectedByReason, long bytes,
                      Double itemsPerSecond, Double etaSeconds, String message, Instant startedAt, Instant updatedAt) {
    }
}
