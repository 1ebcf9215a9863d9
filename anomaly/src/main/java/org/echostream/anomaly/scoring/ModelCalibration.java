package org.echostream.anomaly.scoring;

import java.util.List;
import java.util.Optional;

/** The calibration the service scores with, or the reason it has none (then it scores nothing). */
public sealed interface ModelCalibration {

    /**
     * @param release         the model the numbers belong to
     * @param lnEps           variance epsilon of the surprise's layer norm
     * @param clipScale       per-clip surprise of held-out normal loops
     * @param tokenScale      per-token surprise of held-out normal loops (the clip scale when the file has none)
     * @param normative       distance of a clip's latent features from normal clips, when shipped
     * @param seriesRule      the series score the release calibrated, with its operating threshold, when shipped
     * @param notes           what was missing or assumed, one sentence each, for the start-up log
     */
    record Calibrated(ModelRelease release, double lnEps, ScoreScale clipScale, ScoreScale tokenScale,
                      Optional<NormativeModel> normative, Optional<SeriesRule> seriesRule, List<String> notes)
            implements ModelCalibration {
        public Calibrated {
            notes = List.copyOf(notes);
        }
    }

    /** @param reason names the file and the fact, e.g. a placeholder release with no quantiles */
    record NotCalibrated(String reason) implements ModelCalibration {
    }
}
