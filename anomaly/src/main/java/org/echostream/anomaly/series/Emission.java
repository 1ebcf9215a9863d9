package org.echostream.anomaly.series;

import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.SeriesSummary;

/** One record the tracker asks the topology to publish. */
public sealed interface Emission {

    String seriesInstanceUid();

    record ClipScored(ClipSurprise value) implements Emission {
        @Override
        public String seriesInstanceUid() {
            return value.getRef().getSeriesInstanceUid();
        }
    }

    record EventRaised(AnomalyEvent value) implements Emission {
        @Override
        public String seriesInstanceUid() {
            return value.getSeriesInstanceUid();
        }
    }

    record SummaryUpdated(SeriesSummary value) implements Emission {
        @Override
        public String seriesInstanceUid() {
            return value.getSeriesInstanceUid();
        }
    }
}
