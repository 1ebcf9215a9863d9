package org.echostream.anomaly.series;

import java.time.Duration;
import java.util.OptionalDouble;
import org.echostream.anomaly.scoring.EvidenceRule;

/**
 * The tracker's knobs (the Quarkus layer fills them from configuration; docs/anomaly.md documents each).
 *
 * @param rule                    the sustained-evidence rule
 * @param clipScoreCap            a clip contributes at most this much to the series score
 * @param regionFraction          see {@link org.echostream.anomaly.scoring.RegionLocator}
 * @param seriesThresholdOverride series score threshold for {@code flagged}; empty = the calibration's
 * @param normativeWeight         weight of the normative score in the fallback series score (no series rule in the calibration)
 * @param idleTimeout             a series without new clips for this long is closed
 * @param maxOutOfOrder           scored clips held back waiting for a missing earlier clip before it is given up as a gap
 */
public record SeriesSettings(EvidenceRule rule, double clipScoreCap, double regionFraction,
                             OptionalDouble seriesThresholdOverride, double normativeWeight, Duration idleTimeout,
                             int maxOutOfOrder) {

    /** The predicted-vs-observed comparison stays the core signal: the normative score may weigh at most half. */
    public static final double MAX_NORMATIVE_WEIGHT = 0.5;

    public SeriesSettings {
        if (!(clipScoreCap > EvidenceRule.SURPRISING)) {
            throw new IllegalArgumentException("clip score cap must exceed " + EvidenceRule.SURPRISING + ", got " + clipScoreCap);
        }
        if (!(normativeWeight >= 0 && normativeWeight <= MAX_NORMATIVE_WEIGHT)) {
            throw new IllegalArgumentException("normative weight must be within 0.." + MAX_NORMATIVE_WEIGHT + ", got " + normativeWeight);
        }
        if (maxOutOfOrder < 1) {
            throw new IllegalArgumentException("max out-of-order clips must be >= 1, got " + maxOutOfOrder);
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive, got " + idleTimeout);
        }
    }
}
