package org.echostream.fhir;

import java.time.Instant;
import java.util.List;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ContractSamples;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;

/** A final study with a flagged series and its event, and a calm series, from the contracts' samples. */
final class Samples {

    static final Instant FINALISED = Instant.parse("2026-11-21T10:20:00Z");

    private Samples() {
    }

    static StudyStatus finalStatus(int version) {
        return StudyStatus.newBuilder(ContractSamples.studyStatus()).setState(StudyState.FINAL).setVersion(version)
                .setFinalisedAt(FINALISED).setUpdatedAt(FINALISED).build();
    }

    static SeriesSummary flagged() {
        return SeriesSummary.newBuilder(ContractSamples.summary()).setFlagged(true).setAnomalyScore(3.4).build();
    }

    static SeriesSummary calm() {
        return SeriesSummary.newBuilder(ContractSamples.summary()).setSeriesInstanceUid(ContractSamples.SERIES + ".9").setFlagged(false)
                .setAnomalyScore(0.4).setEventCount(0).build();
    }

    static AnomalyEvent event() {
        return ContractSamples.event();
    }

    static StudyResult result() {
        return new StudyResult(ContractSamples.study(), finalStatus(1), List.of(flagged(), calm()), List.of(event()));
    }
}
