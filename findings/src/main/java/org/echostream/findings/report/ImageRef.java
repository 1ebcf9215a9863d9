package org.echostream.findings.report;

import java.util.List;

/**
 * A reference to one source image object, optionally to some of its frames (1-based Referenced Frame Numbers).
 */
public record ImageRef(String seriesInstanceUid, String sopClassUid, String sopInstanceUid, List<Integer> frames) {

    public ImageRef {
        frames = List.copyOf(frames);
        for (int f : frames) {
            if (f < 1) {
                throw new IllegalArgumentException("instance " + sopInstanceUid + ": frame number " + f + " (frames count from 1)");
            }
        }
    }

    public static ImageRef whole(String seriesInstanceUid, String sopClassUid, String sopInstanceUid) {
        return new ImageRef(seriesInstanceUid, sopClassUid, sopInstanceUid, List.of());
    }
}
