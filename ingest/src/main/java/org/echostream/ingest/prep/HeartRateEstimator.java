package org.echostream.ingest.prep;

import java.util.ArrayList;
import java.util.List;
import org.echostream.ingest.dicom.GrayLoop;

/**
 * prep-1 step 8 fallback: the RR interval from the loop's own periodicity when Heart Rate is absent.
 * Signal: mean absolute difference between consecutive cropped grey frames, linearly resampled to 50 Hz,
 * mean removed; its autocorrelation (normalised by lag 0) over lags 0.4..1.6 s; the first local maximum
 * at least 0.8 of the largest (a multiple of the RR interval correlates as well as the interval itself),
 * refined by a parabola through its neighbours.
 */
public final class HeartRateEstimator {

    private static final double STEP = 0.02;
    private static final double MIN_LAG = 0.4;
    private static final double MAX_LAG = 1.6;
    private static final double PEAK_FRACTION = 0.8;

    private HeartRateEstimator() {
    }

    /** @return the RR interval in seconds, or null when the loop is too short or too still to show one */
    public static Double rrSeconds(GrayLoop loop, CropRegion crop, double[] seconds) {
        int n = loop.frames();
        if (n < 3) {
            return null;
        }
        double[] signal = new double[n - 1];
        int columns = loop.columns();
        int frameSize = loop.frameSize();
        byte[] px = loop.pixels();
        double area = (double) crop.width() * crop.height();
        for (int f = 1; f < n; f++) {
            long sum = 0;
            int a = f * frameSize;
            int b = (f - 1) * frameSize;
            for (int r = crop.y(); r < crop.y() + crop.height(); r++) {
                int row = r * columns;
                for (int c = crop.x(); c < crop.x() + crop.width(); c++) {
                    sum += Math.abs((px[a + row + c] & 0xFF) - (px[b + row + c] & 0xFF));
                }
            }
            signal[f - 1] = sum / area;
        }
        double start = seconds[1];
        double stop = seconds[n - 1];
        int length = (int) Math.ceil((stop - start) / STEP);
        int lo = (int) (MIN_LAG / STEP);
        int hi = Math.min((int) (MAX_LAG / STEP), length - 2);
        if (length < 3 || hi - lo < 2) {
            return null;
        }
        double[] s = new double[length];
        double mean = 0;
        for (int k = 0; k < length; k++) {
            s[k] = interpolate(start + k * STEP, seconds, signal);
            mean += s[k];
        }
        mean /= length;
        for (int k = 0; k < length; k++) {
            s[k] -= mean;
        }
        double[] ac = new double[hi + 2];
        for (int lag = 0; lag < ac.length; lag++) {
            double sum = 0;
            for (int t = 0; t + lag < length; t++) {
                sum += s[t] * s[t + lag];
            }
            ac[lag] = sum;
        }
        double zero = ac[0] + 1e-9;
        if (ac[0] <= 1e-9) {
            return null; // no change over time at all
        }
        for (int lag = 0; lag < ac.length; lag++) {
            ac[lag] /= zero;
        }
        int segLength = hi - lo + 1;
        List<Integer> peaks = new ArrayList<>();
        for (int i = 1; i < segLength - 1; i++) {
            double v = ac[lo + i];
            if (v >= ac[lo + i - 1] && v >= ac[lo + i + 1]) {
                peaks.add(i);
            }
        }
        int chosen;
        if (peaks.isEmpty()) {
            chosen = 0;
            for (int i = 1; i < segLength; i++) {
                if (ac[lo + i] > ac[lo + chosen]) {
                    chosen = i;
                }
            }
        } else {
            double best = peaks.stream().mapToDouble(i -> ac[lo + i]).max().orElseThrow();
            chosen = peaks.stream().filter(i -> ac[lo + i] >= PEAK_FRACTION * best).findFirst().orElseThrow();
        }
        int k = lo + chosen;
        if (k < 1 || k + 1 >= ac.length) {
            return k * STEP;
        }
        double a = ac[k - 1];
        double b = ac[k];
        double c = ac[k + 1];
        double den = a - 2 * b + c;
        double offset = Math.abs(den) > 1e-9 ? 0.5 * (a - c) / den : 0.0;
        return (k + Math.max(-0.5, Math.min(0.5, offset))) * STEP;
    }

    /** np.interp: linear between the signal's samples (at seconds[1..]), clamped at both ends. */
    private static double interpolate(double t, double[] seconds, double[] signal) {
        int n = signal.length;
        if (t <= seconds[1]) {
            return signal[0];
        }
        if (t >= seconds[n]) {
            return signal[n - 1];
        }
        int i = 1;
        while (i < n && seconds[i + 1] < t) {
            i++;
        }
        double t0 = seconds[i];
        double t1 = seconds[i + 1];
        double w = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
        return signal[i - 1] + w * (signal[i] - signal[i - 1]);
    }
}
