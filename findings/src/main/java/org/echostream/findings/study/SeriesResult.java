package org.echostream.findings.study;

import java.util.List;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.SeriesSummary;

/**
 * One scored series as the SR reports it: its closed summary, the instances that were cut into clips (sorted by
 * SOP Instance UID) and its anomaly events (sorted by event id).
 */
public record SeriesResult(SeriesSummary summary, List<InstanceRecord> instances, List<AnomalyEvent> events) {

    public SeriesResult {
        instances = List.copyOf(instances);
        events = List.copyOf(events);
    }

    public String seriesInstanceUid() {
        return summary.getSeriesInstanceUid();
    }

    public boolean flagged() {
        return summary.getFlagged();
    }
}
