package org.echostream.ingest.prep;

import java.util.Arrays;
import org.echostream.ingest.dicom.InstanceAttributes;

/**
 * When each source frame was acquired, seconds from the first, and which attribute said so.
 *
 * @param frameTimeMillis the frame interval used (mean interval for a vector)
 * @param source          FrameTimeVector, FrameTime, CineRate or RecommendedDisplayFrameRate
 */
public record FrameTiming(double[] seconds, double frameTimeMillis, String source) {

    /** Frame time plausible for any cine: 0.1 ms (10 kHz) to 10 s. */
    private static final double MIN_FRAME_MILLIS = 0.1;
    private static final double MAX_FRAME_MILLIS = 10_000;

    public double lastSecond() {
        return seconds[seconds.length - 1];
    }

    /**
     * Frame Time Vector wins over Frame Time: vendors that send both (and variable-rate loops) are only
     * right in the vector; prep-1 and the model's training data use the same order. Then Frame Time,
     * Cine Rate, Recommended Display Frame Rate. Values out of any plausible range are passed over.
     *
     * @return the timing, or null when no attribute times the frames
     */
    public static FrameTiming of(InstanceAttributes.Timing timing, int frames) {
        double[] vector = timing.frameTimeVectorMs();
        if (vector != null && vector.length == frames && frames > 1 && Arrays.stream(vector).allMatch(v -> v >= 0 && v <= MAX_FRAME_MILLIS)) {
            double[] seconds = new double[frames];
            double sum = 0;
            // PS3.3 C.7.6.5.1.2: the first entry is 0 and entry i is the time since frame i-1
            for (int i = 0; i < frames; i++) {
                sum += vector[i];
                seconds[i] = sum / 1000.0 - vector[0] / 1000.0;
            }
            if (seconds[frames - 1] > 0) {
                return new FrameTiming(seconds, seconds[frames - 1] * 1000.0 / (frames - 1), "FrameTimeVector");
            }
        }
        if (plausibleMillis(timing.frameTimeMs())) {
            double millis = timing.frameTimeMs();
            double[] seconds = new double[frames];
            for (int i = 0; i < frames; i++) {
                seconds[i] = i * millis / 1000.0;
            }
            return new FrameTiming(seconds, millis, "FrameTime");
        }
        if (timing.cineRate() != null && plausibleMillis(1000.0 / timing.cineRate())) {
            return atRate(frames, timing.cineRate(), "CineRate");
        }
        Double display = timing.recommendedDisplayFrameRate();
        if (display != null && plausibleMillis(1000.0 / display)) {
            return atRate(frames, display, "RecommendedDisplayFrameRate");
        }
        return null;
    }

    private static FrameTiming atRate(int frames, double framesPerSecond, String source) {
        double[] seconds = new double[frames];
        for (int i = 0; i < frames; i++) {
            seconds[i] = i / framesPerSecond;
        }
        return new FrameTiming(seconds, 1000.0 / framesPerSecond, source);
    }

    private static boolean plausibleMillis(Double millis) {
        return millis != null && Double.isFinite(millis) && millis >= MIN_FRAME_MILLIS && millis <= MAX_FRAME_MILLIS;
    }
}
