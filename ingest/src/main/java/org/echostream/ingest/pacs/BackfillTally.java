package org.echostream.ingest.pacs;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counts of a backfill: what became of the instances the PACS listed.
 *
 * @param ingested         published (with clips or as not scored)
 * @param clips            of those, cut into clips
 * @param skipped          already ingested before (ledger), not retrieved again
 * @param rejected         arrived but refused as bad input, with a dead letter each
 * @param failed           never arrived after the retries, with a dead letter each
 * @param bytes            bytes of the instances that arrived
 * @param studiesDone      studies whose every instance was ingested, skipped, rejected or failed
 */
public record BackfillTally(long ingested, long clips, long skipped, long rejected, Map<String, Long> rejectedByReason, long failed,
                            Map<String, Long> failedByReason, long bytes, long studiesDone) {

    public static final BackfillTally NONE = new BackfillTally(0, 0, 0, 0, Map.of(), 0, Map.of(), 0, 0);

    public BackfillTally {
        rejectedByReason = Map.copyOf(new TreeMap<>(rejectedByReason));
        failedByReason = Map.copyOf(new TreeMap<>(failedByReason));
    }

    /** Instances accounted for. */
    public long processed() {
        return ingested + skipped + rejected + failed;
    }

    public BackfillTally plus(BackfillTally o) {
        Map<String, Long> rejectedSum = new TreeMap<>(rejectedByReason);
        o.rejectedByReason.forEach((k, v) -> rejectedSum.merge(k, v, Long::sum));
        Map<String, Long> failedSum = new TreeMap<>(failedByReason);
        o.failedByReason.forEach((k, v) -> failedSum.merge(k, v, Long::sum));
        return new BackfillTally(ingested + o.ingested, clips + o.clips, skipped + o.skipped, rejected + o.rejected, rejectedSum,
                failed + o.failed, failedSum, bytes + o.bytes, studiesDone + o.studiesDone);
    }

    /** One line for the job's message and the command line. */
    public String line() {
        return String.format("%d studies done: %d instances ingested (%d with clips), %d skipped as already ingested, %d rejected %s, "
                + "%d failed %s, %.1f MB", studiesDone, ingested, clips, skipped, rejected, rejectedByReason, failed, failedByReason, bytes / 1e6);
    }
}
