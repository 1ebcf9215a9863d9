package org.echostream.fhir;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;

/**
 * Everything one FHIR result of a final study says, from the topics' records. {@link #resultVersion()} hashes all of
 * it: a change of any score, flag, event or the study's status version gives a new version, and a new report.
 */
public record StudyResult(StudyRecord study, StudyStatus status, List<SeriesSummary> series, List<AnomalyEvent> events) {

    public StudyResult {
        Objects.requireNonNull(study, "study");
        Objects.requireNonNull(status, "status");
        if (status.getState() != StudyState.FINAL) {
            throw new IllegalArgumentException("study " + study.getStudyInstanceUid() + " is " + status.getState()
                    + ": FHIR results are sent for final studies only");
        }
        if (!status.getStudyInstanceUid().equals(study.getStudyInstanceUid())) {
            throw new IllegalArgumentException("status of study " + status.getStudyInstanceUid() + " given for study " + study.getStudyInstanceUid());
        }
        series = series.stream().sorted(Comparator.comparing(SeriesSummary::getSeriesInstanceUid)).toList();
        events = events.stream().sorted(Comparator.comparing(AnomalyEvent::getSeriesInstanceUid).thenComparing(AnomalyEvent::getEventId)).toList();
        for (SeriesSummary s : series) {
            if (!s.getStudyInstanceUid().equals(study.getStudyInstanceUid())) {
                throw new IllegalArgumentException("series " + s.getSeriesInstanceUid() + " belongs to study " + s.getStudyInstanceUid()
                        + ", not " + study.getStudyInstanceUid());
            }
        }
    }

    public String studyUid() {
        return study.getStudyInstanceUid();
    }

    /** First 16 hex digits of the sha256 of the study status version and every series and event field the report carries. */
    public String resultVersion() {
        StringBuilder text = new StringBuilder().append(study.getStudyInstanceUid()).append('|').append(status.getVersion());
        for (SeriesSummary s : series) {
            text.append("|S ").append(s.getSeriesInstanceUid()).append(' ').append(s.getAnomalyScore()).append(' ').append(s.getFlagged())
                    .append(' ').append(s.getClipCount()).append(' ').append(s.getEventCount()).append(' ').append(s.getPeakScore()).append(' ')
                    .append(s.getModel().getName()).append(' ').append(s.getModel().getVersion()).append(' ')
                    .append(s.getModel().getCalibrationSha256()).append(' ').append(s.getPreprocessingVersion());
        }
        for (AnomalyEvent e : events) {
            text.append("|E ").append(e.getEventId()).append(' ').append(e.getStartSeconds()).append(' ').append(e.getEndSeconds()).append(' ')
                    .append(e.getPeakScore()).append(' ').append(e.getRegion());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
