package org.echostream.findings.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyStatus;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.Test;

class ResultVersionTest {

    private static final String STUDY = "1.2.826.0.1.3680043.8.498.6";

    private static String versionOf(EchoStudy echo) {
        var book = echo.into(new StudyBook(), EchoStudy.T0);
        return ((Assessment.Ready) book.assess(echo.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(1))).result().resultVersion();
    }

    @Test
    void the_same_inputs_give_the_same_version() {
        assertThat(versionOf(new EchoStudy(STUDY))).isEqualTo(versionOf(new EchoStudy(STUDY))).matches("[0-9a-f]{16}");
    }

    @Test
    void a_summary_re_emitted_with_only_a_new_time_stamp_keeps_the_version() {
        EchoStudy replayed = new EchoStudy(STUDY);
        replayed.summaries.replaceAll(s -> SeriesSummary.newBuilder(s).setUpdatedAt(s.getUpdatedAt().plusSeconds(3600)).build());
        replayed.events.replaceAll(e -> AnomalyEvent.newBuilder(e).setDetectedAt(e.getDetectedAt().plusSeconds(3600)).build());

        assertThat(versionOf(replayed)).isEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_changed_score_changes_the_version() {
        EchoStudy changed = new EchoStudy(STUDY);
        changed.summaries.set(1, SeriesSummary.newBuilder(changed.summaries.get(1)).setAnomalyScore(0.1200001).build());

        assertThat(versionOf(changed)).isNotEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_changed_event_changes_the_version() {
        EchoStudy changed = new EchoStudy(STUDY);
        changed.events.set(0, AnomalyEvent.newBuilder(changed.events.get(0)).setEndSeconds(1.3).build());

        assertThat(versionOf(changed)).isNotEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_new_event_changes_the_version() {
        EchoStudy changed = new EchoStudy(STUDY);
        changed.events.add(changed.event(changed.a4c + ".2", 0, 0.0, 0.5, 2.0));

        assertThat(versionOf(changed)).isNotEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_new_study_status_version_changes_the_version() {
        EchoStudy refinalised = new EchoStudy(STUDY);
        refinalised.status = StudyStatus.newBuilder(refinalised.status).setVersion(2).build();

        assertThat(versionOf(refinalised)).isNotEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_corrected_patient_attribute_changes_the_version() {
        EchoStudy corrected = new EchoStudy(STUDY);
        corrected.record = StudyRecord.newBuilder(corrected.record).setPatientBirthDate("19610413").build();

        assertThat(versionOf(corrected)).isNotEqualTo(versionOf(new EchoStudy(STUDY)));
    }

    @Test
    void a_separator_inside_a_value_cannot_make_two_different_inputs_collide() {
        EchoStudy a = new EchoStudy(STUDY);
        a.record = StudyRecord.newBuilder(a.record).setPatientName("Doe|").setPatientBirthDate(null).build();
        EchoStudy b = new EchoStudy(STUDY);
        b.record = StudyRecord.newBuilder(b.record).setPatientName("Doe").setPatientBirthDate("|").build();

        assertThat(versionOf(a)).isNotEqualTo(versionOf(b));
    }
}
