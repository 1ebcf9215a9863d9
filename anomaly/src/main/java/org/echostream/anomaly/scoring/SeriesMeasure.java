package org.echostream.anomaly.scoring;

import java.util.Arrays;
import java.util.Optional;

/**
 * The per-clip measures a release's general series rule can combine (docs/onnx-contract.md, "Series decision";
 * {@code model/echomodel/scoring.py} is the reference). Surprise measures have one value per scored clip pair, the others
 * one per observed clip.
 */
public enum SeriesMeasure {
    /** Mean over the N tokens of the pair's token surprise {@code s_n} (the clip surprise). */
    SURPRISE_MEAN("surprise_mean", true),
    /** Mean of the {@code k = max(1, floor(fraction * N + 0.5))} largest {@code s_n} of the pair. */
    SURPRISE_TOP("surprise_top", true),
    /** The normative distance of the clip's observed tokens ({@link NormativeModel#distance}). */
    NORMATIVE("normative", false),
    /** {@code max_c (cellMean[c] - m[c]) / cellStd[c]}: the region that moves least compared with normal clips. */
    MOTION_DEFICIT_REGIONAL("motion_deficit_regional", false),
    /** {@code (globalMean - mean_c m[c]) / globalStd}: the whole heart moves less than normal clips. */
    MOTION_DEFICIT_GLOBAL("motion_deficit_global", false);

    private final String key;
    private final boolean perPair;

    SeriesMeasure(String key, boolean perPair) {
        this.key = key;
        this.perPair = perPair;
    }

    /** The name the calibration file uses. */
    public String key() {
        return key;
    }

    /** One value per scored clip pair (true) or per observed clip (false). */
    public boolean perPair() {
        return perPair;
    }

    public static Optional<SeriesMeasure> byKey(String key) {
        return Arrays.stream(values()).filter(m -> m.key.equals(key)).findFirst();
    }

    /** How many tokens {@link #SURPRISE_TOP} averages: {@code max(1, floor(fraction * n + 0.5))}. */
    public static int topCount(int tokens, double fraction) {
        return Math.max(1, Math.min(tokens, (int) Math.floor(fraction * tokens + 0.5)));
    }

    /** The mean of the {@link #topCount} largest values. */
    public static double topMean(float[] perToken, double fraction) {
        int k = topCount(perToken.length, fraction);
        float[] sorted = perToken.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (int i = sorted.length - k; i < sorted.length; i++) {
            sum += sorted[i];
        }
        return sum / k;
    }
}
