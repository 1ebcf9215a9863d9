package org.echostream.ingest.pipeline;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where a folder import stands: files seen of the total, what became of them, the rate and the time left.
 *
 * @param ingested           published with clips or as not scored
 * @param clips              of those, cut into clips
 * @param skipped            already ingested before (same SOP Instance UID)
 * @param rejected           refused as bad input, with a dead letter each
 * @param rejectedByReason   rejection counts by reason code
 * @param notScoredByReason  not-scored counts by reason code
 * @param bytes              bytes of files processed
 * @param filesPerSecond     processed files per second since the start, null before the first
 * @param etaSeconds         time left at that rate, null when unknown
 */
public record ImportProgress(long total, long processed, long ingested, long clips, long skipped, long rejected,
                             Map<String, Long> rejectedByReason, Map<String, Long> notScoredByReason, long bytes,
                             Double filesPerSecond, Double etaSeconds) {

    public ImportProgress {
        rejectedByReason = Map.copyOf(new TreeMap<>(rejectedByReason));
        notScoredByReason = Map.copyOf(new TreeMap<>(notScoredByReason));
    }

    public long notScored() {
        return ingested - clips;
    }
}
