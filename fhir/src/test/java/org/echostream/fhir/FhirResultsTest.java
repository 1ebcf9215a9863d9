package org.echostream.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.echostream.contracts.ContractSamples;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DiagnosticReport;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FhirResultsTest {

    static final FhirContext CONTEXT = FhirContext.forR4Cached();
    static FhirValidation validation;
    final FhirResults results = new FhirResults(new FhirResults.Settings("urn:oid:1.2.826.0.1.3680043.8.498.99"));

    @BeforeAll
    static void loadTheR4Base() {
        validation = new FhirValidation(CONTEXT);
    }

    @Test
    void a_final_study_becomes_a_report_with_one_observation_per_series_and_event_that_the_r4_base_accepts() {
        Bundle bundle = results.transaction(Samples.result());
        FhirValidation.Outcome outcome = validation.validate(bundle);
        assertThat(outcome.errors()).as("validation errors").isEmpty();

        DiagnosticReport report = (DiagnosticReport) bundle.getEntry().get(bundle.getEntry().size() - 1).getResource();
        assertThat(report.getStatus()).isEqualTo(DiagnosticReport.DiagnosticReportStatus.FINAL);
        assertThat(report.getSubject().getIdentifier().getValue()).isEqualTo(ContractSamples.study().getPatientId());
        assertThat(report.getImagingStudyFirstRep().getIdentifier().getValue()).isEqualTo("urn:oid:" + ContractSamples.STUDY);
        assertThat(report.getResult()).hasSize(3);
        assertThat(report.getConclusion()).startsWith("1 of 2 series flagged (highest score 3.40); 1 anomaly events.");
        assertThat(report.getIdentifierFirstRep().getValue()).isEqualTo(ContractSamples.STUDY + "/" + Samples.result().resultVersion());

        List<Observation> observations = bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Observation.class::isInstance).map(Observation.class::cast).toList();
        assertThat(observations).hasSize(3);
        assertThat(observations.get(0).getValueQuantity().getValue().doubleValue()).isEqualTo(3.4);
        assertThat(observations.get(0).getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("A");
        assertThat(observations.get(1).getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("N");
        Observation event = observations.get(2);
        assertThat(event.getComponent()).anySatisfy(c -> assertThat(c.getCode().getCodingFirstRep().getCode()).isEqualTo("start-seconds"));
        assertThat(bundle.getEntry()).allSatisfy(e -> assertThat(e.getRequest().getIfNoneExist()).startsWith("identifier=" + FhirResults.RESULT_SYSTEM + "|"));
        String json = CONTEXT.newJsonParser().encodeResourceToString(bundle);
        assertThat(json).as("no patient name goes to the EHR in this report").doesNotContain(ContractSamples.study().getPatientName());
    }

    @Test
    void a_broken_resource_is_caught_by_the_validator() {
        Bundle bundle = results.transaction(Samples.result());
        Observation first = (Observation) bundle.getEntry().get(1).getResource();
        first.setStatus(null);
        assertThat(validation.validate(bundle).errors()).anyMatch(e -> e.contains("Observation.status"));
    }

    @Test
    void the_result_version_changes_with_any_score_and_with_the_study_status_version_only() {
        StudyResult base = Samples.result();
        assertThat(Samples.result().resultVersion()).isEqualTo(base.resultVersion());
        SeriesSummary rescored = SeriesSummary.newBuilder(Samples.flagged()).setAnomalyScore(3.5).build();
        assertThat(new StudyResult(base.study(), base.status(), List.of(rescored, Samples.calm()), base.events()).resultVersion())
                .isNotEqualTo(base.resultVersion());
        assertThat(new StudyResult(base.study(), Samples.finalStatus(2), base.series(), base.events()).resultVersion())
                .isNotEqualTo(base.resultVersion());
        assertThat(new StudyResult(base.study(), base.status(), List.of(Samples.calm(), Samples.flagged()), base.events()).resultVersion())
                .as("order of arrival does not matter").isEqualTo(base.resultVersion());
    }

    @Test
    void a_provisional_study_has_no_fhir_result() {
        StudyStatus provisional = StudyStatus.newBuilder(Samples.finalStatus(1)).setState(StudyState.PROVISIONAL).build();
        assertThatThrownBy(() -> new StudyResult(ContractSamples.study(), provisional, List.of(), List.of()))
                .hasMessageContaining("final studies only");
    }
}
