package org.echostream.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.echostream.api.EchoFixtures;
import org.echostream.contracts.ContractSamples;
import org.echostream.contracts.SeriesSummary;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.Topics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadModelTest {

    ReadModel model;
    RecordRouter router;

    @BeforeEach
    void applyTheFixtureDay() {
        model = new ReadModel(new CineStore(64L << 20, 256));
        router = new RecordRouter(model);
        for (var record : EchoFixtures.records()) {
            assertThat(router.route(record.topic(), record.key(), record.value()).applied()).isNotInstanceOf(Applied.Invalid.class);
        }
    }

    @Test
    void worklist_puts_flagged_first_then_higher_scores_and_unscored_studies_last() {
        List<String> order = model.studies(StudyQuery.all(10)).stream().map(Views.StudyListItem::studyInstanceUid).toList();
        assertThat(order).containsExactly(EchoFixtures.FLAGGED_STUDY, EchoFixtures.NORMAL_STUDY, EchoFixtures.PENDING_STUDY,
                EchoFixtures.UNSCORED_STUDY);
    }

    @Test
    void study_status_follows_its_series() {
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().status()).isEqualTo("SCORED");
        assertThat(model.study(EchoFixtures.PENDING_STUDY).orElseThrow().status()).isEqualTo("IN_PROGRESS");
        assertThat(model.study(EchoFixtures.UNSCORED_STUDY).orElseThrow().status()).isEqualTo("NOT_SCORED");
    }

    @Test
    void a_study_says_whether_its_result_is_provisional_or_final_from_ingests_study_status() {
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().state()).isEqualTo("FINAL");
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().finalReason()).isEqualTo("ANNOUNCED_COUNT_REACHED");
        assertThat(model.study(EchoFixtures.PENDING_STUDY).orElseThrow().completeness().state()).isEqualTo("PROVISIONAL");
        assertThat(model.study(EchoFixtures.NORMAL_STUDY).orElseThrow().completeness()).isEqualTo(Views.Completeness.UNKNOWN);
        assertThat(model.studies(StudyQuery.all(10))).filteredOn(r -> r.studyInstanceUid().equals(EchoFixtures.PENDING_STUDY))
                .singleElement().satisfies(r -> assertThat(r.completeness().state()).isEqualTo("PROVISIONAL"));
    }

    @Test
    void an_instance_after_final_reopens_the_study_and_an_older_version_arriving_late_is_ignored() {
        StudyStatus reopened = StudyStatus.newBuilder().setStudyInstanceUid(EchoFixtures.FLAGGED_STUDY).setState(StudyState.PROVISIONAL)
                .setVersion(2).setInstancesReceived(3).setLastInstanceAt(EchoFixtures.T0.plusSeconds(60)).setUpdatedAt(EchoFixtures.T0.plusSeconds(60))
                .build();
        assertThat(router.route(Topics.STUDY_STATUS.name(), EchoFixtures.FLAGGED_STUDY,
                Topics.STUDY_STATUS.valueSerde().serializer().serialize(Topics.STUDY_STATUS.name(), reopened)).applied())
                .isInstanceOf(Applied.Stored.class);
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().state()).isEqualTo("PROVISIONAL");
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().version()).isEqualTo(2);

        StudyStatus stale = StudyStatus.newBuilder(reopened).setState(StudyState.FINAL).setVersion(1).build();
        assertThat(model.apply(stale)).isInstanceOf(Applied.Ignored.class);
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().version()).isEqualTo(2);
    }

    @Test
    void a_poison_study_status_is_refused_with_a_reason_and_changes_nothing() {
        assertThat(router.route(Topics.STUDY_STATUS.name(), EchoFixtures.FLAGGED_STUDY, "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .applied()).isInstanceOf(Applied.Invalid.class);
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().completeness().state()).isEqualTo("FINAL");
    }

    @Test
    void an_older_summary_arriving_late_does_not_replace_the_newer_one() {
        SeriesSummary older = SeriesSummary.newBuilder(ContractSamples.summary()).setSeriesInstanceUid(EchoFixtures.FLAGGED_SERIES)
                .setStudyInstanceUid(EchoFixtures.FLAGGED_STUDY).setAnomalyScore(0.1).setFlagged(false)
                .setUpdatedAt(EchoFixtures.T0).build();
        assertThat(model.apply(older)).isInstanceOf(Applied.Ignored.class);
        assertThat(model.seriesDetail(EchoFixtures.FLAGGED_SERIES).orElseThrow().anomalyScore()).isEqualTo(0.91);
    }

    @Test
    void a_study_tombstone_erases_the_patient_but_keeps_the_scores() {
        assertThat(router.route(Topics.STUDIES.name(), EchoFixtures.NORMAL_STUDY, null).applied()).isInstanceOf(Applied.Stored.class);
        Views.StudyDetail study = model.study(EchoFixtures.NORMAL_STUDY).orElseThrow();
        assertThat(study.patient()).isNull();
        assertThat(study.maxScore()).isEqualTo(0.27);
    }

    @Test
    void a_null_value_on_a_topic_that_is_not_compacted_is_refused() {
        Applied applied = router.route(Topics.SURPRISE.name(), EchoFixtures.NORMAL_SERIES, null).applied();
        assertThat(applied).isInstanceOf(Applied.Invalid.class);
        assertThat(((Applied.Invalid) applied).reasonCode()).isEqualTo("EMPTY_VALUE");
    }

    @Test
    void bytes_that_are_not_a_record_are_refused_with_the_decoder_reason() {
        Applied applied = router.route(Topics.ANOMALY_EVENTS.name(), "k", new byte[] {1, 2, 3}).applied();
        assertThat(((Applied.Invalid) applied).reasonCode()).isEqualTo("NOT_SINGLE_OBJECT_ENCODED");
    }

    @Test
    void keyframe_of_a_scored_clip_has_its_middle_frame_token_map_and_event_region() {
        KeyframeLookup lookup = model.keyframe(EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP, 4);
        assertThat(lookup).isInstanceOf(KeyframeLookup.Found.class);
        KeyframeLookup.Found found = (KeyframeLookup.Found) lookup;
        assertThat(found.frameIndex()).isEqualTo(4 * 16 + 8);
        assertThat(found.tokenGrid()).containsExactly(8, 7, 7);
        assertThat(found.eventRegions()).hasSize(1);
        assertThat(found.scaleMax()).isGreaterThan(0.5);
    }

    @Test
    void keyframe_of_the_unscored_first_clip_has_pixels_but_no_map() {
        KeyframeLookup.Found found = (KeyframeLookup.Found) model.keyframe(EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP, 0);
        assertThat(found.tokenGrid()).isNull();
        assertThat(found.frameIndex()).isEqualTo(8);
    }

    @Test
    void keyframe_without_held_pixels_says_so() {
        ReadModel small = new ReadModel(new CineStore(16 * 112 * 112 * 2L, 32));
        RecordRouter r = new RecordRouter(small);
        EchoFixtures.records().forEach(rec -> r.route(rec.topic(), rec.key(), rec.value()));
        // The budget holds one loop of 32 frames: the flagged loop, written first, was dropped.
        assertThat(small.keyframe(EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP, 4)).isInstanceOf(KeyframeLookup.PixelsNotHeld.class);
        assertThat(small.keyframe("1.2.3", "4.5.6", 1)).isInstanceOf(KeyframeLookup.NotFound.class);
    }

    @Test
    void timeline_lists_scored_clips_of_each_loop_with_its_events() {
        Views.LoopTimeline loop = model.timeline(EchoFixtures.FLAGGED_SERIES).orElseThrow().loops().get(0);
        assertThat(loop.points()).extracting(Views.TimelinePoint::clipScore).containsExactly(0.7, 1.0, 4.6, 6.2, 5.1);
        assertThat(loop.events()).extracting(Views.Event::firstFrame).containsExactly(48);
    }

    @Test
    void cine_pixels_are_validated_against_the_declared_shape() {
        var clip = org.echostream.contracts.Clip.newBuilder(ContractSamples.clip()).setPixels(ByteBuffer.wrap(new byte[5])).build();
        Applied applied = model.apply(clip);
        assertThat(((Applied.Invalid) applied).reasonDetail()).contains("declares 2x3x4 = 24 pixel bytes, carries 5");
    }

    @Test
    void a_flagged_study_awaits_review_until_its_flagged_series_is_answered_and_the_worklist_counts_the_answers() {
        StudyQuery awaiting = new StudyQuery(null, null, true, false, null, null, 0, 10);
        assertThat(model.studies(awaiting)).extracting(Views.StudyListItem::studyInstanceUid).containsExactly(EchoFixtures.FLAGGED_STUDY);
        assertThat(model.study(EchoFixtures.FLAGGED_STUDY).orElseThrow().series())
                .filteredOn(i -> i.seriesInstanceUid().equals(EchoFixtures.FLAGGED_SERIES)).singleElement()
                .satisfies(i -> assertThat(i.feedback().awaitingReview()).isTrue());

        // An answer on the calm series of the same study does not review the flagged one.
        answer(EchoFixtures.CALM_SERIES_OF_FLAGGED_STUDY, "e1", "dr.a", org.echostream.contracts.FeedbackAnswer.AGREE, 1);
        assertThat(model.studies(awaiting)).extracting(Views.StudyListItem::studyInstanceUid).containsExactly(EchoFixtures.FLAGGED_STUDY);

        answer(EchoFixtures.FLAGGED_SERIES, "e2", "dr.a", org.echostream.contracts.FeedbackAnswer.DISAGREE, 2);
        answer(EchoFixtures.FLAGGED_SERIES, "e3", "dr.b", org.echostream.contracts.FeedbackAnswer.UNCERTAIN, 3);
        assertThat(model.studies(awaiting)).isEmpty();
        Views.StudyListItem row = model.studies(new StudyQuery(null, null, null, true, null, null, 0, 10)).stream()
                .filter(r -> r.studyInstanceUid().equals(EchoFixtures.FLAGGED_STUDY)).findFirst().orElseThrow();
        assertThat(row.feedback()).isEqualTo(new Views.Feedback(1, 1, 1, 2, true, false));
        assertThat(model.studies(new StudyQuery(null, null, null, true, null, null, 0, 10)))
                .extracting(Views.StudyListItem::studyInstanceUid).containsExactly(EchoFixtures.FLAGGED_STUDY);

        Views.SeriesFeedback view = model.feedback(EchoFixtures.FLAGGED_SERIES).orElseThrow();
        assertThat(view.history()).extracting(Views.FeedbackAnswer::entryId).containsExactly("e2", "e3");
        assertThat(view.studyInstanceUid()).isEqualTo(EchoFixtures.FLAGGED_STUDY);

        // A tombstone erases the answers: the study awaits review again.
        assertThat(router.route(Topics.FEEDBACK.name(), EchoFixtures.FLAGGED_SERIES, null).applied()).isInstanceOf(Applied.Stored.class);
        assertThat(model.studies(awaiting)).extracting(Views.StudyListItem::studyInstanceUid).containsExactly(EchoFixtures.FLAGGED_STUDY);
    }

    @Test
    void a_loop_names_its_scanner_manufacturer_from_its_instance_record() {
        assertThat(model.manufacturerOf(EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP)).isEqualTo("echostream-sim");
        assertThat(model.manufacturerOf(EchoFixtures.FLAGGED_SERIES, "1.2.3.4")).isNull();
        assertThat(model.manufacturerOf("1.2.3", EchoFixtures.FLAGGED_SOP)).isNull();
    }

    @Test
    void an_unreadable_feedback_record_is_refused_for_the_dead_letter_topic() {
        assertThat(router.route(Topics.FEEDBACK.name(), EchoFixtures.FLAGGED_SERIES, new byte[] {1, 2, 3}).applied())
                .isInstanceOf(Applied.Invalid.class);
    }

    private void answer(String series, String entryId, String clinician, org.echostream.contracts.FeedbackAnswer answer, int second) {
        String study = model.feedbackFacts(series).orElseThrow().studyInstanceUid();
        var entry = org.echostream.contracts.FeedbackEntry.newBuilder().setEntryId(entryId).setClinician(clinician).setAnswer(answer)
                .setFlaggedWhenAnswered(true).setAnsweredAt(EchoFixtures.T0.plusSeconds(100 + second)).build();
        var record = model.nextFeedback(series, study, entry, EchoFixtures.T0.plusSeconds(100 + second));
        assertThat(router.route(Topics.FEEDBACK.name(), series,
                Topics.FEEDBACK.valueSerde().serializer().serialize(Topics.FEEDBACK.name(), record)).applied()).isInstanceOf(Applied.Stored.class);
    }
}
