package org.echostream.findings.study;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.Verdict;

/**
 * What this service knows of every study, built from the five input topics: the patient and study attributes,
 * the completeness status, the instances and their verdicts, the series summaries and the anomaly events.
 * Records arrive in any order across topics; {@link #assess} says when a study's findings are complete.
 *
 * <p>Not thread-safe: one feed thread applies records and assesses studies.
 */
public final class StudyBook {

    private static final int LO = 64;
    private static final int SH = 16;
    private static final int PN_GROUP = 64;

    private final Map<String, Inputs> studies = new HashMap<>();
    /** Compacted topics delete by key: a tombstone names the instance or series, this finds its study. */
    private final Map<String, String> studyOfInstance = new HashMap<>();
    private final Map<String, String> studyOfSeries = new HashMap<>();

    /** Everything read for one study. Maps are sorted so a result lists series, instances and events in a stable order. */
    private static final class Inputs {
        StudyRecord study;
        StudyStatus status;
        final Map<String, InstanceRecord> instances = new TreeMap<>();
        final Map<String, SeriesSummary> summaries = new TreeMap<>();
        final Map<String, AnomalyEvent> events = new TreeMap<>();
        Instant lastChangedAt = Instant.EPOCH;
    }

    public int studyCount() {
        return studies.size();
    }

    public Applied applyStudy(String key, StudyRecord value, Instant now) {
        if (value == null) {
            return forget(key, now, i -> i.study = null, "study");
        }
        String uid = value.getStudyInstanceUid();
        Applied bad = checkKeyAndUids("StudyRecord", key, uid, uid);
        if (bad != null) {
            return bad;
        }
        // Patient ID and name file the SR under the right patient at the PACS: one that cannot be written as
        // received is refused rather than shortened. The attribute is named, its value never (patient data).
        if (!DicomText.fits(value.getPatientId(), LO)) {
            return invalid("INVALID_PATIENT_ATTRIBUTE", "study " + uid + ": Patient ID does not fit DICOM LO (64 characters, no backslash)");
        }
        if (!fitsPersonName(value.getPatientName())) {
            return invalid("INVALID_PATIENT_ATTRIBUTE", "study " + uid + ": Patient's Name does not fit DICOM PN (64 characters a component group)");
        }
        if (!DicomText.fits(value.getAccessionNumber(), SH)) {
            return invalid("INVALID_PATIENT_ATTRIBUTE", "study " + uid + ": Accession Number does not fit DICOM SH (16 characters)");
        }
        Inputs in = inputs(uid);
        in.study = value;
        return changed(uid, in, now);
    }

    public Applied applyStatus(String key, StudyStatus value, Instant now) {
        if (value == null) {
            return forget(key, now, i -> i.status = null, "status");
        }
        String uid = value.getStudyInstanceUid();
        Applied bad = checkKeyAndUids("StudyStatus", key, uid, uid);
        if (bad != null) {
            return bad;
        }
        if (value.getVersion() < 1) {
            return invalid("INVALID_STUDY_STATUS", "study " + uid + ": status version " + value.getVersion() + " (versions start at 1)");
        }
        Inputs in = inputs(uid);
        if (in.status != null && in.status.getVersion() > value.getVersion()) {
            return new Applied.Ignored("study " + uid + ": status version " + value.getVersion() + " is older than " + in.status.getVersion());
        }
        in.status = value;
        return changed(uid, in, now);
    }

    public Applied applyInstance(String key, InstanceRecord value, Instant now) {
        if (value == null) {
            String study = studyOfInstance.remove(key);
            if (study == null) {
                return new Applied.Ignored("tombstone for unknown instance");
            }
            Inputs in = studies.get(study);
            in.instances.remove(key);
            return changed(study, in, now);
        }
        String sop = value.getSopInstanceUid();
        Applied bad = checkKeyAndUids("InstanceRecord", key, sop, value.getStudyInstanceUid(), value.getSeriesInstanceUid(), sop, value.getSopClassUid());
        if (bad != null) {
            return bad;
        }
        if (value.getFrameTimeMillis() != null && !(value.getFrameTimeMillis() > 0 && Double.isFinite(value.getFrameTimeMillis()))) {
            return invalid("NON_FINITE_VALUE", "instance " + sop + ": frame time " + value.getFrameTimeMillis() + " ms");
        }
        String study = value.getStudyInstanceUid();
        String before = studyOfInstance.put(sop, study);
        if (before != null && !before.equals(study)) {
            Inputs old = studies.get(before);
            old.instances.remove(sop);
            changed(before, old, now);
        }
        Inputs in = inputs(study);
        in.instances.put(sop, value);
        return changed(study, in, now);
    }

    public Applied applySummary(String key, SeriesSummary value, Instant now) {
        if (value == null) {
            String study = studyOfSeries.get(key);
            if (study == null) {
                return new Applied.Ignored("tombstone for unknown series");
            }
            Inputs in = studies.get(study);
            in.summaries.remove(key);
            return changed(study, in, now);
        }
        String series = value.getSeriesInstanceUid();
        Applied bad = checkKeyAndUids("SeriesSummary", key, series, value.getStudyInstanceUid(), series);
        if (bad != null) {
            return bad;
        }
        if (!Double.isFinite(value.getAnomalyScore()) || !Double.isFinite(value.getPeakScore()) || !Double.isFinite(value.getMeanSurprise())
                || value.getNormativeScore() != null && !Double.isFinite(value.getNormativeScore())) {
            return invalid("NON_FINITE_VALUE", "series " + series + ": a score is not a finite number");
        }
        String study = value.getStudyInstanceUid();
        studyOfSeries.put(series, study);
        Inputs in = inputs(study);
        in.summaries.put(series, value);
        return changed(study, in, now);
    }

    public Applied applyEvent(String key, AnomalyEvent value, Instant now) {
        if (value == null) {
            return new Applied.Ignored("null event (the events topic is not compacted)");
        }
        String series = value.getSeriesInstanceUid();
        Applied bad = checkKeyAndUids("AnomalyEvent", key, series, value.getStudyInstanceUid(), series, value.getSopInstanceUid());
        if (bad != null) {
            return bad;
        }
        if (!Double.isFinite(value.getStartSeconds()) || !Double.isFinite(value.getEndSeconds()) || !Double.isFinite(value.getPeakScore())
                || !Double.isFinite(value.getMeanScore())) {
            return invalid("NON_FINITE_VALUE", "event " + value.getEventId() + ": a time or score is not a finite number");
        }
        if (value.getFirstFrame() < 0 || value.getLastFrame() < value.getFirstFrame() || value.getEndSeconds() < value.getStartSeconds()
                || value.getStartSeconds() < 0) {
            return invalid("INVALID_EVENT_RANGE", "event " + value.getEventId() + ": frames " + value.getFirstFrame() + ".." + value.getLastFrame()
                    + ", seconds " + value.getStartSeconds() + ".." + value.getEndSeconds());
        }
        String study = value.getStudyInstanceUid();
        Inputs in = inputs(study);
        in.events.put(value.getEventId(), value);
        return changed(study, in, now);
    }

    /**
     * Whether the study's findings are complete: the study is FINAL, its patient attributes are known, every
     * instance the status counts has been read, every scored series (one with an instance cut into clips) has a
     * CLOSED summary, and nothing about the study changed for {@code settle} (summaries and events of the last
     * clips may trail the status by a moment).
     */
    public Assessment assess(String studyInstanceUid, Instant now, Duration settle) {
        Inputs in = studies.get(studyInstanceUid);
        if (in == null || in.status == null) {
            return new Assessment.Waiting("no study status yet");
        }
        if (in.status.getState() != StudyState.FINAL) {
            return new Assessment.Waiting("study is " + in.status.getState() + " (status version " + in.status.getVersion() + ")");
        }
        if (in.instances.size() < in.status.getInstancesReceived()) {
            return new Assessment.Waiting(in.instances.size() + " of " + in.status.getInstancesReceived() + " instance records read");
        }
        Map<String, List<InstanceRecord>> scored = new TreeMap<>();
        for (InstanceRecord i : in.instances.values()) {
            if (i.getVerdict() == Verdict.CLIPS) {
                scored.computeIfAbsent(i.getSeriesInstanceUid(), s -> new ArrayList<>()).add(i);
            }
        }
        if (scored.isEmpty()) {
            return new Assessment.NothingToReport("none of the study's " + in.instances.size() + " instances was cut into clips");
        }
        for (String series : scored.keySet()) {
            SeriesSummary summary = in.summaries.get(series);
            if (summary == null) {
                return new Assessment.Waiting("series " + series + " has no summary yet");
            }
            if (summary.getStatus() != SeriesStatus.CLOSED) {
                return new Assessment.Waiting("series " + series + " is still " + summary.getStatus());
            }
        }
        if (in.study == null) {
            return new Assessment.Waiting("no study record (patient and study attributes) yet");
        }
        Instant quietSince = in.lastChangedAt.plus(settle);
        if (now.isBefore(quietSince)) {
            return new Assessment.Settling(quietSince);
        }
        List<SeriesResult> series = new ArrayList<>();
        Instant observedAt = in.status.getFinalisedAt() != null ? in.status.getFinalisedAt() : in.status.getUpdatedAt();
        for (var entry : scored.entrySet()) {
            SeriesSummary summary = in.summaries.get(entry.getKey());
            List<AnomalyEvent> events = in.events.values().stream()
                    .filter(e -> e.getSeriesInstanceUid().equals(entry.getKey()))
                    .sorted(Comparator.comparing(AnomalyEvent::getEventId))
                    .toList();
            series.add(new SeriesResult(summary, entry.getValue(), events));
            observedAt = later(observedAt, summary.getUpdatedAt());
            for (AnomalyEvent e : events) {
                observedAt = later(observedAt, e.getDetectedAt());
            }
        }
        String version = ResultVersion.of(in.study, in.status, series);
        return new Assessment.Ready(new StudyResult(in.study, in.status, series, version, observedAt));
    }

    private static Instant later(Instant a, Instant b) {
        return b.isAfter(a) ? b : a;
    }

    private Inputs inputs(String study) {
        return studies.computeIfAbsent(study, s -> new Inputs());
    }

    private static Applied changed(String study, Inputs in, Instant now) {
        in.lastChangedAt = now;
        return new Applied.Stored(study);
    }

    private Applied forget(String key, Instant now, java.util.function.Consumer<Inputs> drop, String what) {
        Inputs in = key == null ? null : studies.get(key);
        if (in == null) {
            return new Applied.Ignored("tombstone for unknown " + what);
        }
        drop.accept(in);
        return changed(key, in, now);
    }

    /** The key must be the record's own UID (the catalogue's keying), and every UID the SR will carry must be a valid DICOM UID. */
    private static Applied checkKeyAndUids(String type, String key, String keyedUid, String... uids) {
        if (key == null || !key.equals(keyedUid)) {
            return invalid("KEY_MISMATCH", type + " keyed '" + safe(key) + "' names " + safe(keyedUid));
        }
        for (String uid : uids) {
            if (!DicomText.isUid(uid)) {
                return invalid("INVALID_UID", type + " " + safe(keyedUid) + ": '" + safe(uid) + "' is not a DICOM UID");
            }
        }
        return null;
    }

    /** UIDs are printed in reasons; anything else that turns up in a UID field is cut short and stripped of odd characters. */
    private static String safe(String value) {
        if (value == null) {
            return "null";
        }
        String cut = value.length() > 64 ? value.substring(0, 64) + "..." : value;
        return cut.replaceAll("[^0-9A-Za-z.\\-_]", "?");
    }

    private static boolean fitsPersonName(String name) {
        if (name == null) {
            return true;
        }
        for (String group : name.split("=", -1)) {
            if (!DicomText.fits(group, PN_GROUP)) {
                return false;
            }
        }
        return name.split("=", -1).length <= 3;
    }

    private static Applied invalid(String code, String detail) {
        return new Applied.Invalid(code, detail);
    }
}
