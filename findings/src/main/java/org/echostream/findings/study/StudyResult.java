package org.echostream.findings.study;

import java.time.Instant;
import java.util.List;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;

/**
 * Everything one study's findings say, frozen at the moment they were judged complete.
 *
 * @param study         patient and study attributes for the SR's Patient and General Study modules
 * @param status        the FINAL status the result belongs to
 * @param series        scored series, sorted by Series Instance UID
 * @param resultVersion {@link ResultVersion} of all of the above
 * @param observedAt    the latest time stamp among the inputs: the SR's content date and time, so that building the
 *                      same result twice gives the same object
 */
public record StudyResult(StudyRecord study, StudyStatus status, List<SeriesResult> series, String resultVersion, Instant observedAt) {

    public StudyResult {
        series = List.copyOf(series);
    }

    public String studyInstanceUid() {
        return status.getStudyInstanceUid();
    }

    public List<SeriesResult> flaggedSeries() {
        return series.stream().filter(SeriesResult::flagged).toList();
    }

    public int instanceCount() {
        return series.stream().mapToInt(s -> s.instances().size()).sum();
    }
}
