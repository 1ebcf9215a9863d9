package org.echostream.findings.report;

import java.util.List;
import java.util.stream.IntStream;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.InstanceRecord;

/**
 * Maps an event's time range back to frames of its source object. Events carry seconds from the loop's first
 * frame (and frames on the model's resampled time axis, which mean nothing to a PACS viewer); the source frame
 * shown at {@code t} seconds is {@code round(t / frameTime)}, counted from 1 as DICOM Referenced Frame Numbers are.
 * When the source declared a Frame Time Vector (variable intervals) ingest recorded its mean interval, so the
 * frames are then approximate; when it declared no timing at all, there are no frame numbers.
 */
public final class SourceFrames {

    private SourceFrames() {
    }

    /** First and last source frame (1-based, inclusive), or empty when the instance has no frame timing or a single frame. */
    public static List<Integer> firstAndLast(AnomalyEvent event, InstanceRecord instance) {
        if (instance.getFrameTimeMillis() == null || instance.getFrames() < 2) {
            return List.of();
        }
        double frameSeconds = instance.getFrameTimeMillis() / 1000.0;
        int first = clamp((int) Math.round(event.getStartSeconds() / frameSeconds) + 1, instance.getFrames());
        int last = clamp((int) Math.round(event.getEndSeconds() / frameSeconds) + 1, instance.getFrames());
        return List.of(first, Math.max(first, last));
    }

    /** Every frame from first to last, for a Referenced Frame Number list. */
    public static List<Integer> all(AnomalyEvent event, InstanceRecord instance) {
        List<Integer> range = firstAndLast(event, instance);
        return range.isEmpty() ? range : IntStream.rangeClosed(range.get(0), range.get(1)).boxed().toList();
    }

    private static int clamp(int frame, int frames) {
        return Math.max(1, Math.min(frames, frame));
    }
}
