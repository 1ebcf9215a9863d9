package org.echostream.findings.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.SeriesStatus;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.Verdict;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.Test;

class StudyBookTest {

    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Instant T = EchoStudy.T0;
    private static final Instant LATER = T.plus(SETTLE);

    private final EchoStudy echo = new EchoStudy("1.2.826.0.1.3680043.8.498.5");

    @Test
    void reports_a_final_study_whose_scored_series_are_closed() {
        Assessment a = echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE);

        assertThat(a).isInstanceOf(Assessment.Ready.class);
        StudyResult r = ((Assessment.Ready) a).result();
        assertThat(r.series()).extracting(SeriesResult::seriesInstanceUid).containsExactly(echo.a4c, echo.plax);
        // the unscored still image is not part of the result
        assertThat(r.series().get(1).instances()).extracting(InstanceRecord::getSopInstanceUid).containsExactly(echo.plax + ".1");
        assertThat(r.series().get(0).events()).hasSize(2);
        assertThat(r.flaggedSeries()).extracting(SeriesResult::seriesInstanceUid).containsExactly(echo.a4c);
        assertThat(r.observedAt()).isEqualTo(T.plusSeconds(70)); // the latest summary
    }

    @Test
    void waits_while_the_study_is_provisional() {
        echo.status = StudyStatus.newBuilder(echo.status).setState(StudyState.PROVISIONAL).build();

        assertThat(echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE))
                .isEqualTo(new Assessment.Waiting("study is PROVISIONAL (status version 1)"));
    }

    @Test
    void waits_for_a_scored_series_whose_summary_is_still_open() {
        echo.summaries.set(0, SeriesSummary.newBuilder(echo.summaries.get(0)).setStatus(SeriesStatus.OPEN).build());

        assertThat(echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE))
                .isEqualTo(new Assessment.Waiting("series " + echo.a4c + " is still OPEN"));
    }

    @Test
    void waits_for_a_scored_series_without_a_summary() {
        echo.summaries.remove(1);

        assertThat(echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE))
                .isEqualTo(new Assessment.Waiting("series " + echo.plax + " has no summary yet"));
    }

    @Test
    void waits_until_every_instance_the_status_counts_was_read() {
        echo.status = StudyStatus.newBuilder(echo.status).setInstancesReceived(5).build();

        assertThat(echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE))
                .isEqualTo(new Assessment.Waiting("4 of 5 instance records read"));
    }

    @Test
    void waits_for_the_patient_and_study_attributes() {
        StudyBook book = echo.into(new StudyBook(), T);
        book.applyStudy(echo.study, null, T);

        assertThat(book.assess(echo.study, LATER, SETTLE)).isEqualTo(new Assessment.Waiting("no study record (patient and study attributes) yet"));
    }

    @Test
    void settles_for_the_configured_window_after_the_last_change() {
        StudyBook book = echo.into(new StudyBook(), T);

        assertThat(book.assess(echo.study, LATER.minusMillis(1), SETTLE)).isEqualTo(new Assessment.Settling(LATER));
        assertThat(book.assess(echo.study, LATER, SETTLE)).isInstanceOf(Assessment.Ready.class);
        book.applyEvent(echo.a4c, echo.event(echo.a4c + ".2", 0, 0.1, 0.4, 3.0), LATER);
        assertThat(book.assess(echo.study, LATER, SETTLE)).isEqualTo(new Assessment.Settling(LATER.plus(SETTLE)));
    }

    @Test
    void has_nothing_to_report_when_no_instance_was_cut_into_clips() {
        echo.instances.replaceAll(i -> InstanceRecord.newBuilder(i).setVerdict(Verdict.NOT_SCORED).setReasonCode("NON_CARDIAC").build());

        assertThat(echo.into(new StudyBook(), T).assess(echo.study, LATER, SETTLE))
                .isEqualTo(new Assessment.NothingToReport("none of the study's 4 instances was cut into clips"));
    }

    @Test
    void an_older_status_version_does_not_replace_a_newer_one() {
        StudyBook book = echo.into(new StudyBook(), T);
        StudyStatus reopened = StudyStatus.newBuilder(echo.status).setVersion(2).setState(StudyState.PROVISIONAL).build();
        book.applyStatus(echo.study, reopened, T);

        assertThat(book.applyStatus(echo.study, echo.status, T)).isInstanceOf(Applied.Ignored.class);
        assertThat(book.assess(echo.study, LATER, SETTLE)).isEqualTo(new Assessment.Waiting("study is PROVISIONAL (status version 2)"));
    }

    @Test
    void a_tombstone_removes_an_instance_from_its_study() {
        StudyBook book = echo.into(new StudyBook(), T);
        assertThat(book.applyInstance(echo.plax + ".1", null, T)).isEqualTo(new Applied.Stored(echo.study));

        assertThat(book.assess(echo.study, LATER, SETTLE)).isEqualTo(new Assessment.Waiting("3 of 4 instance records read"));
        assertThat(book.applyInstance("9.9.9", null, T)).isInstanceOf(Applied.Ignored.class);
    }

    @Test
    void refuses_a_summary_keyed_by_another_series_with_reason() {
        Applied a = new StudyBook().applySummary(echo.plax, echo.summaries.get(0), T);

        assertThat(a).isEqualTo(new Applied.Invalid("KEY_MISMATCH", "SeriesSummary keyed '" + echo.plax + "' names " + echo.a4c));
    }

    @Test
    void refuses_a_uid_that_is_not_a_dicom_uid_with_reason() {
        InstanceRecord bad = InstanceRecord.newBuilder(echo.instances.get(0)).setSopClassUid("1.2.840.10008.5.1.4.1.1.3.1 ").build();

        Applied a = new StudyBook().applyInstance(bad.getSopInstanceUid(), bad, T);

        assertThat(a).isInstanceOf(Applied.Invalid.class);
        assertThat(((Applied.Invalid) a).reasonCode()).isEqualTo("INVALID_UID");
        assertThat(((Applied.Invalid) a).reasonDetail()).contains("is not a DICOM UID").contains(bad.getSopInstanceUid());
    }

    @Test
    void refuses_a_patient_id_that_does_not_fit_dicom_without_repeating_it() {
        StudyRecord bad = StudyRecord.newBuilder(echo.record).setPatientId("SECRET-" + "9".repeat(70)).build();

        Applied a = new StudyBook().applyStudy(echo.study, bad, T);

        assertThat(a).isInstanceOf(Applied.Invalid.class);
        assertThat(((Applied.Invalid) a).reasonCode()).isEqualTo("INVALID_PATIENT_ATTRIBUTE");
        assertThat(((Applied.Invalid) a).reasonDetail()).contains("Patient ID").doesNotContain("SECRET");
    }

    @Test
    void refuses_an_event_that_ends_before_it_starts() {
        var event = echo.event(echo.a4c + ".1", 2, 1.5, 1.0, 3.0);

        Applied a = new StudyBook().applyEvent(echo.a4c, event, T);

        assertThat(a).isInstanceOf(Applied.Invalid.class);
        assertThat(((Applied.Invalid) a).reasonCode()).isEqualTo("INVALID_EVENT_RANGE");
    }

    @Test
    void refuses_a_score_that_is_not_a_number() {
        SeriesSummary nan = SeriesSummary.newBuilder(echo.summaries.get(0)).setAnomalyScore(Double.NaN).build();

        Applied a = new StudyBook().applySummary(echo.a4c, nan, T);

        assertThat(a).isEqualTo(new Applied.Invalid("NON_FINITE_VALUE", "series " + echo.a4c + ": a score is not a finite number"));
    }
}
