package org.echostream.anomaly.scoring;

import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a raw statistic into a calibrated score: 0 at the median of held-out normal loops, 1 at the
 * threshold quantile of the same distribution (the 0.99 quantile unless configured otherwise). A score of
 * 2 is "twice as far above the normal median as the threshold is".
 *
 * @param median    the normal distribution's 0.5 quantile
 * @param threshold the normal distribution's quantile at {@code quantile}
 * @param quantile  which quantile {@code threshold} is
 */
public record ScoreScale(double median, double threshold, double quantile) {

    public ScoreScale {
        if (!(threshold > median)) {
            throw new IllegalArgumentException("calibration: the " + quantile + " quantile (" + threshold
                    + ") must lie above the median (" + median + ")");
        }
    }

    public double score(double raw) {
        return (raw - median) / (threshold - median);
    }

    /**
     * Reads the scale from a quantile table, interpolating linearly between listed probabilities when the
     * requested one is not listed (the model ships 0.5, 0.9, 0.95, 0.99, 0.995 and 0.999).
     *
     * @param quantiles probability -> value; entries with a null value are ignored
     * @throws IllegalArgumentException naming what is missing when the table cannot give both quantiles
     */
    public static ScoreScale fromQuantiles(String what, Map<Double, Double> quantiles, double quantile) {
        TreeMap<Double, Double> known = new TreeMap<>();
        quantiles.forEach((p, v) -> {
            if (p != null && v != null && Double.isFinite(v)) {
                known.put(p, v);
            }
        });
        return new ScoreScale(interpolate(what, known, 0.5), interpolate(what, known, quantile), quantile);
    }

    private static double interpolate(String what, TreeMap<Double, Double> known, double p) {
        Double exact = known.get(p);
        if (exact != null) {
            return exact;
        }
        Map.Entry<Double, Double> below = known.floorEntry(p);
        Map.Entry<Double, Double> above = known.ceilingEntry(p);
        if (below == null || above == null) {
            throw new IllegalArgumentException(what + ": quantile " + p + " is outside the calibrated quantiles "
                    + known.keySet() + (known.isEmpty() ? " (none has a value)" : ""));
        }
        double t = (p - below.getKey()) / (above.getKey() - below.getKey());
        return below.getValue() + t * (above.getValue() - below.getValue());
    }
}
