package org.echostream.anomaly.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.echostream.contracts.SeriesSummary;

/** One series summary as one JSON line, flat, for scripts (AUROC per kind, false-alarm rate). */
public final class SummaryLine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SummaryLine() {
    }

    public static String of(SeriesSummary summary) {
        ObjectNode line = JSON.createObjectNode();
        line.put("seriesInstanceUid", summary.getSeriesInstanceUid());
        line.put("studyInstanceUid", summary.getStudyInstanceUid());
        line.put("status", summary.getStatus().name());
        line.put("anomalyScore", summary.getAnomalyScore());
        line.put("flagged", summary.getFlagged());
        line.put("clipCount", summary.getClipCount());
        line.put("eventCount", summary.getEventCount());
        line.put("meanSurprise", summary.getMeanSurprise());
        line.put("peakScore", summary.getPeakScore());
        if (summary.getNormativeScore() == null) {
            line.putNull("normativeScore");
        } else {
            line.put("normativeScore", summary.getNormativeScore());
        }
        line.put("modelName", summary.getModel().getName());
        line.put("modelVersion", summary.getModel().getVersion());
        line.put("preprocessingVersion", summary.getPreprocessingVersion());
        line.put("firstClipAt", summary.getFirstClipAt().toString());
        line.put("updatedAt", summary.getUpdatedAt().toString());
        return line.toString();
    }
}
