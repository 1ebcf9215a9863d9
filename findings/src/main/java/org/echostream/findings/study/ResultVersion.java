package org.echostream.findings.study;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.TokenRegion;

/**
 * The version of a study's result: the first 64 bits (16 hex digits) of a SHA-256 over a canonical text of
 * everything the SR states. Time stamps that only say when a record was written (updatedAt, detectedAt) are
 * left out, so a replayed or re-emitted record with the same content gives the same version; any value the
 * SR shows (a score, a flag, an event's frames, a patient attribute, the set of source instances, the study
 * status version) gives a new one.
 */
public final class ResultVersion {

    private ResultVersion() {
    }

    public static String of(StudyRecord study, StudyStatus status, List<SeriesResult> series) {
        StringBuilder text = new StringBuilder(512);
        line(text, "result-version", "1");
        line(text, "study", status.getStudyInstanceUid(), String.valueOf(status.getVersion()));
        line(text, "patient", study.getPatientId(), study.getPatientName(), study.getPatientBirthDate(), study.getPatientSex());
        line(text, "study-attributes", study.getAccessionNumber(), study.getStudyDate(), study.getStudyTime(), study.getStudyDescription());
        for (SeriesResult s : series) {
            SeriesSummary m = s.summary();
            line(text, "series", m.getSeriesInstanceUid(), num(m.getAnomalyScore()), String.valueOf(m.getFlagged()),
                    String.valueOf(m.getClipCount()), String.valueOf(m.getEventCount()), num(m.getMeanSurprise()), num(m.getPeakScore()),
                    m.getNormativeScore() == null ? "-" : num(m.getNormativeScore()), m.getStatus().name(), m.getPreprocessingVersion());
            model(text, m.getModel());
            for (InstanceRecord i : s.instances()) {
                line(text, "instance", i.getSopInstanceUid(), i.getSopClassUid(), String.valueOf(i.getFrames()),
                        i.getFrameTimeMillis() == null ? "-" : num(i.getFrameTimeMillis()),
                        i.getSeriesNumber() == null ? "-" : String.valueOf(i.getSeriesNumber()), i.getSeriesDescription());
            }
            for (AnomalyEvent e : s.events()) {
                TokenRegion r = e.getRegion();
                line(text, "event", e.getEventId(), e.getSopInstanceUid(), String.valueOf(e.getFirstClipIndex()), String.valueOf(e.getLastClipIndex()),
                        String.valueOf(e.getFirstFrame()), String.valueOf(e.getLastFrame()), num(e.getStartSeconds()), num(e.getEndSeconds()),
                        num(e.getPeakScore()), num(e.getMeanScore()), e.getRule(), e.getPreprocessingVersion(),
                        r.getRowStart() + ":" + r.getRowEnd() + ":" + r.getColStart() + ":" + r.getColEnd());
                model(text, e.getModel());
            }
        }
        return HexFormat.of().formatHex(sha256(text.toString())).substring(0, 16);
    }

    private static void model(StringBuilder text, ModelRef model) {
        line(text, "model", model.getName(), model.getVersion(), model.getEncoderSha256(), model.getPredictorSha256());
        // Only when known, so results scored before the calibration was recorded keep their version (and are not sent again).
        if (model.getCalibrationSha256() != null) {
            line(text, "calibration", model.getCalibrationSha256());
        }
    }

    /** Doubles by their exact shortest representation: 0.1 and 0.1000000001 differ, as they would in the SR. */
    private static String num(double value) {
        return Double.toString(value);
    }

    /** Fields joined with a separator no field may contain unescaped, so ("a|", "b") and ("a", "|b") differ. */
    private static void line(StringBuilder text, String kind, String... fields) {
        text.append(kind);
        for (String f : fields) {
            text.append('|').append(f == null ? "\u0000" : f.replace("\\", "\\\\").replace("|", "\\|"));
        }
        text.append('\n');
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
