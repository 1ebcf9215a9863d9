package org.echostream.ingest.prep;

import java.util.List;

/**
 * A cine loop after prep-1: how it was timed, cropped and resized, and the clips cut from it.
 *
 * @param sourceIndices for each resampled frame, the source frame it shows
 * @param heartRate     the heart rate used, or null when neither attribute nor estimate gave one
 */
public record PreparedLoop(FrameTiming timing, CropRegion region, Letterbox letterbox, int[] sourceIndices,
                           HeartRate heartRate, List<ClipWindow> clips) {

    public PreparedLoop {
        clips = List.copyOf(clips);
    }

    /** Beats per minute and where they came from: the Heart Rate attribute ("HeartRate") or "ESTIMATED". */
    public record HeartRate(double bpm, String source) {
    }

    /**
     * One clip: {@code frames x height x width} uint8 pixels, frame-major, row-major.
     *
     * @param firstFrame index of its first frame on the resampled time axis
     * @param timestamps seconds from the loop's first frame of each clip frame (resampled axis)
     */
    public record ClipWindow(int index, int firstFrame, int[] sourceFrameIndices, double[] timestamps, byte[] pixels) {
    }
}
