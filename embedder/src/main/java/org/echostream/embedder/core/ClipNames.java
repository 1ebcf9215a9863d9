package org.echostream.embedder.core;

import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipRef;

/** How a clip is named in logs and dead letters: UIDs and indices only, never patient data. */
public final class ClipNames {

    private ClipNames() {
    }

    public static String of(Clip clip) {
        return of(clip.getRef());
    }

    public static String of(ClipRef ref) {
        return "clip " + ref.getClipIndex() + " (first frame " + ref.getFirstFrame() + ") of instance " + ref.getSopInstanceUid()
                + " in series " + ref.getSeriesInstanceUid();
    }
}
