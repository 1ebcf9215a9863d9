package org.echostream.ingest.pipeline;

import org.echostream.ingest.prep.CropRegion;
import org.echostream.ingest.prep.PreparedLoop;

/**
 * What was learnt about one instance, whatever the verdict: what {@code inspect} prints and logs carry.
 * UIDs only; nothing that identifies a patient. Any field may be null when decoding stopped before it.
 */
public record InstanceFacts(String studyInstanceUid, String seriesInstanceUid, String sopInstanceUid, String sopClassUid,
                            String transferSyntaxUid, String photometric, Integer frames, Integer rows, Integer columns,
                            Double frameTimeMillis, String frameTimeSource, CropRegion region, PreparedLoop.HeartRate heartRate,
                            int clipCount) {

    static final InstanceFacts NOTHING = new InstanceFacts(null, null, null, null, null, null, null, null, null, null, null, null, null, 0);
}
