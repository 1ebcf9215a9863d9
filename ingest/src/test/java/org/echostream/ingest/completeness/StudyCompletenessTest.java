package org.echostream.ingest.completeness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.junit.jupiter.api.Test;

class StudyCompletenessTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final String STUDY = "1.2.3";
    private final StudyCompleteness tracker = new StudyCompleteness(new StudyCompleteness.Rules(Duration.ofSeconds(10), Duration.ofMinutes(5)));
    private final List<StudyStatus> published = new ArrayList<>();

    private void instance(String sop, String session, Instant at) {
        tracker.onInstance(STUDY, "1.2.3.1", sop, session, at, published::addAll);
    }

    private List<StudyStatus> tick(Instant at) {
        int before = published.size();
        tracker.tick(at, published::addAll);
        return List.copyOf(published.subList(before, published.size()));
    }

    @Test
    void a_study_is_provisional_from_its_first_instance_and_counts_distinct_instances() {
        instance("1", "a1", T0);
        instance("2", "a1", T0.plusSeconds(1));
        instance("2", "a1", T0.plusSeconds(2)); // the same instance again: nothing to publish
        assertThat(published).hasSize(2);
        StudyStatus last = published.get(1);
        assertThat(last.getState()).isEqualTo(StudyState.PROVISIONAL);
        assertThat(last.getVersion()).isEqualTo(1);
        assertThat(last.getInstancesReceived()).isEqualTo(2);
        assertThat(last.getSeriesInstanceUids()).containsExactly("1.2.3.1");
        assertThat(last.getReleasedAt()).isNull();
    }

    @Test
    void becomes_final_after_the_association_is_released_and_the_quiet_window_passed() {
        instance("1", "a1", T0);
        tracker.sessionEnded("a1", true, T0.plusSeconds(1));
        List<StudyStatus> released = tick(T0.plusSeconds(2));
        assertThat(released).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(StudyState.PROVISIONAL);
            assertThat(s.getReleasedAt()).isEqualTo(T0.plusSeconds(1));
        });
        assertThat(tick(T0.plusSeconds(10))).isEmpty(); // 9 s after the release: still quiet-waiting
        List<StudyStatus> done = tick(T0.plusSeconds(11));
        assertThat(done).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(StudyState.FINAL);
            assertThat(s.getFinalReason()).isEqualTo(StudyCompleteness.ASSOCIATION_RELEASED_AND_QUIET);
            assertThat(s.getFinalisedAt()).isEqualTo(T0.plusSeconds(11));
        });
        assertThat(tick(T0.plusSeconds(60))).isEmpty();
    }

    @Test
    void waits_for_every_source_of_the_study_before_counting_the_quiet_window() {
        instance("1", "a1", T0);
        instance("2", "a2", T0.plusSeconds(1));
        tracker.sessionEnded("a1", true, T0.plusSeconds(2));
        assertThat(tick(T0.plusSeconds(30))).isEmpty(); // a2 still open
        tracker.sessionEnded("a2", true, T0.plusSeconds(31));
        tick(T0.plusSeconds(31));
        assertThat(tick(T0.plusSeconds(41))).singleElement().extracting(StudyStatus::getState).isEqualTo(StudyState.FINAL);
    }

    @Test
    void an_aborted_association_leaves_only_the_inactivity_window() {
        instance("1", "a1", T0);
        tracker.sessionEnded("a1", false, T0.plusSeconds(1));
        assertThat(tick(T0.plusSeconds(299))).isEmpty();
        assertThat(tick(T0.plusSeconds(300))).singleElement().satisfies(s -> {
            assertThat(s.getState()).isEqualTo(StudyState.FINAL);
            assertThat(s.getFinalReason()).isEqualTo(StudyCompleteness.INACTIVITY);
        });
    }

    @Test
    void becomes_final_with_the_instance_that_reaches_the_announced_count() {
        tracker.expect(STUDY, 2, "job-1/1.2.3");
        assertThat(tick(T0)).isEmpty(); // announced, nothing received: no status yet
        instance("1", null, T0);
        instance("2", null, T0.plusSeconds(1));
        StudyStatus last = published.get(published.size() - 1);
        assertThat(last.getState()).isEqualTo(StudyState.FINAL);
        assertThat(last.getFinalReason()).isEqualTo(StudyCompleteness.ANNOUNCED_COUNT_REACHED);
        assertThat(last.getInstancesExpected()).isEqualTo(2);
        assertThat(last.getInstancesReceived()).isEqualTo(2);
    }

    @Test
    void an_instance_after_final_reopens_the_study_with_the_next_version() {
        instance("1", "a1", T0);
        tracker.sessionEnded("a1", true, T0);
        tick(T0.plusSeconds(10));
        assertThat(tracker.status(STUDY).orElseThrow().getState()).isEqualTo(StudyState.FINAL);
        instance("2", "a2", T0.plusSeconds(100));
        StudyStatus reopened = published.get(published.size() - 1);
        assertThat(reopened.getState()).isEqualTo(StudyState.PROVISIONAL);
        assertThat(reopened.getVersion()).isEqualTo(2);
        assertThat(reopened.getFinalReason()).isNull();
        assertThat(reopened.getFinalisedAt()).isNull();
        tracker.sessionEnded("a2", true, T0.plusSeconds(100));
        tick(T0.plusSeconds(100));
        StudyStatus again = tick(T0.plusSeconds(110)).get(0);
        assertThat(again.getState()).isEqualTo(StudyState.FINAL);
        assertThat(again.getVersion()).isEqualTo(2);
        assertThat(again.getInstancesReceived()).isEqualTo(2);
    }

    @Test
    void changes_nothing_when_the_status_cannot_be_published() {
        instance("1", "a1", T0);
        assertThatThrownBy(() -> tracker.onInstance(STUDY, "1.2.3.1", "2", "a1", T0.plusSeconds(1), s -> {
            throw new IllegalStateException("broker down");
        })).hasMessage("broker down");
        assertThat(tracker.status(STUDY).orElseThrow().getInstancesReceived()).isEqualTo(1);
        tracker.sessionEnded("a1", true, T0.plusSeconds(2));
        assertThatThrownBy(() -> tracker.tick(T0.plusSeconds(20), s -> {
            throw new IllegalStateException("broker down");
        })).hasMessage("broker down");
        assertThat(tracker.status(STUDY).orElseThrow().getState()).isEqualTo(StudyState.PROVISIONAL);
        instance("2", null, T0.plusSeconds(21)); // the refused instance is sent again and counted once
        assertThat(tracker.status(STUDY).orElseThrow().getInstancesReceived()).isEqualTo(2);
    }

    @Test
    void adopts_a_newer_version_written_elsewhere_and_keeps_its_own_higher_counts() {
        tracker.restoreInstance(STUDY, "s1", "1", T0);
        tracker.restoreInstance(STUDY, "s1", "2", T0);
        tracker.restoreInstance(STUDY, "s1", "3", T0.plusSeconds(5));
        tracker.adopt(StudyStatus.newBuilder().setStudyInstanceUid(STUDY).setState(StudyState.FINAL).setVersion(2).setInstancesReceived(2)
                .setFinalReason(StudyCompleteness.INACTIVITY).setLastInstanceAt(T0).setFinalisedAt(T0.plusSeconds(300))
                .setUpdatedAt(T0.plusSeconds(300)).build());
        StudyStatus s = tracker.status(STUDY).orElseThrow();
        assertThat(s.getVersion()).isEqualTo(2);
        assertThat(s.getState()).isEqualTo(StudyState.FINAL);
        assertThat(s.getInstancesReceived()).isEqualTo(3);
        assertThat(s.getLastInstanceAt()).isEqualTo(T0.plusSeconds(5));
        // an older version arriving late changes nothing
        tracker.adopt(StudyStatus.newBuilder(s).setVersion(1).setState(StudyState.PROVISIONAL).setInstancesReceived(9).build());
        assertThat(tracker.status(STUDY).orElseThrow().getInstancesReceived()).isEqualTo(3);
    }

    @Test
    void a_provisional_study_released_elsewhere_becomes_final_here_after_the_quiet_window() {
        tracker.adopt(StudyStatus.newBuilder().setStudyInstanceUid(STUDY).setState(StudyState.PROVISIONAL).setVersion(1).setInstancesReceived(4)
                .setLastInstanceAt(T0).setReleasedAt(T0.plusSeconds(1)).setUpdatedAt(T0.plusSeconds(1)).build());
        assertThat(tick(T0.plusSeconds(5))).isEmpty();
        assertThat(tick(T0.plusSeconds(11))).singleElement().extracting(StudyStatus::getFinalReason)
                .isEqualTo(StudyCompleteness.ASSOCIATION_RELEASED_AND_QUIET);
    }

    @Test
    void refuses_a_quiet_window_longer_than_the_inactivity_window() {
        assertThatThrownBy(() -> new StudyCompleteness.Rules(Duration.ofMinutes(10), Duration.ofMinutes(1)))
                .hasMessageContaining("no longer than inactivity");
    }
}
