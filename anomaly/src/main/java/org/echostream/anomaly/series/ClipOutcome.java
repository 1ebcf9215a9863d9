package org.echostream.anomaly.series;

import java.util.List;

/** What the tracker did with one clip. */
public sealed interface ClipOutcome {

    /**
     * @param state     the series state to keep (the same object, updated)
     * @param emissions records to publish, in order
     * @param gaps      how many missing clips this clip made the tracker give up on
     * @param lateClips clips scored too late to take part in the evidence rule (published, not evaluated)
     */
    record Accepted(SeriesState state, List<Emission> emissions, int gaps, int lateClips) implements ClipOutcome {
        public Accepted {
            emissions = List.copyOf(emissions);
        }
    }

    /** The clip was seen before (same loop, same index): nothing changes, nothing is published twice. */
    record Duplicate(String detail) implements ClipOutcome {
    }

    record Refused(Refusal refusal) implements ClipOutcome {
    }
}
