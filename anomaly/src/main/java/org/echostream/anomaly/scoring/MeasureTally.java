package org.echostream.anomaly.scoring;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Running count, sum and maximum of each {@link SeriesMeasure} over a series, from which a general series rule
 * takes its {@code mean} or {@code max} aggregates. Kept in the series state (serialised field by field).
 */
public final class MeasureTally {

    private final int[] count = new int[SeriesMeasure.values().length];
    private final double[] sum = new double[SeriesMeasure.values().length];
    private final double[] max = filled(Double.NEGATIVE_INFINITY);

    public void add(SeriesMeasure measure, double value) {
        int i = measure.ordinal();
        count[i]++;
        sum[i] += value;
        max[i] = Math.max(max[i], value);
    }

    public int count(SeriesMeasure measure) {
        return index(measure) < count.length ? count[index(measure)] : 0;
    }

    /** The mean or maximum of the measure's values so far; empty before the first value. */
    public OptionalDouble aggregate(SeriesMeasure measure, boolean maximum) {
        int n = count(measure);
        if (n == 0) {
            return OptionalDouble.empty();
        }
        int i = index(measure);
        return OptionalDouble.of(maximum ? max[i] : sum[i] / n);
    }

    private static int index(SeriesMeasure measure) {
        return measure.ordinal();
    }

    private static double[] filled(double value) {
        double[] out = new double[SeriesMeasure.values().length];
        Arrays.fill(out, value);
        return out;
    }
}
