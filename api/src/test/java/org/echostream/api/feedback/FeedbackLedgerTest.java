package org.echostream.api.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.echostream.contracts.FeedbackAnswer;
import org.echostream.contracts.FeedbackEntry;
import org.echostream.contracts.SeriesFeedback;
import org.junit.jupiter.api.Test;

class FeedbackLedgerTest {

    static final Instant T = Instant.parse("2026-12-04T03:00:00Z");

    static FeedbackEntry entry(String id, String event, String clinician, FeedbackAnswer answer, int second) {
        return FeedbackEntry.newBuilder().setEntryId(id).setEventId(event).setClinician(clinician).setAnswer(answer)
                .setFlaggedWhenAnswered(true).setAnsweredAt(T.plusSeconds(second)).build();
    }

    @Test
    void the_latest_answer_of_each_clinician_per_target_is_in_force_and_the_history_keeps_every_answer() {
        FeedbackLedger ledger = new FeedbackLedger("s", "st");
        SeriesFeedback r1 = ledger.with(entry("a", null, "dr.a", FeedbackAnswer.AGREE, 1), T);
        ledger.merge(r1);
        SeriesFeedback r2 = ledger.with(entry("b", null, "dr.a", FeedbackAnswer.DISAGREE, 2), T);
        ledger.merge(r2);
        ledger.merge(ledger.with(entry("c", null, "dr.b", FeedbackAnswer.UNCERTAIN, 3), T));
        ledger.merge(ledger.with(entry("d", "evt-1", "dr.a", FeedbackAnswer.AGREE, 4), T));

        assertThat(r2.getRevision()).isEqualTo(2);
        assertThat(r2.getEntries()).extracting(FeedbackEntry::getEntryId).containsExactly("a", "b");
        assertThat(ledger.history()).extracting(FeedbackEntry::getEntryId).containsExactly("a", "b", "c", "d");
        assertThat(ledger.current()).extracting(FeedbackEntry::getEntryId).containsExactly("b", "c", "d");
        assertThat(ledger.counts()).isEqualTo(new FeedbackLedger.Counts(1, 1, 1, 2));
        assertThat(ledger.revision()).isEqualTo(4);
    }

    @Test
    void a_record_written_without_an_answer_held_here_does_not_erase_it_and_asks_for_the_union_again() {
        FeedbackLedger ledger = new FeedbackLedger("s", "st");
        FeedbackEntry mine = entry("a", null, "dr.a", FeedbackAnswer.AGREE, 1);
        FeedbackEntry theirs = entry("b", null, "dr.b", FeedbackAnswer.DISAGREE, 2);
        assertThat(ledger.merge(new SeriesFeedback("s", "st", 1, List.of(mine), T))).isEqualTo(new FeedbackLedger.Merge(1, 0));
        // Another replica answered from a view without "a": same revision, only its own answer.
        assertThat(ledger.merge(new SeriesFeedback("s", "st", 1, List.of(theirs), T))).isEqualTo(new FeedbackLedger.Merge(1, 1));
        assertThat(ledger.history()).extracting(FeedbackEntry::getEntryId).containsExactly("a", "b");
        SeriesFeedback union = ledger.whole(T);
        assertThat(union.getEntries()).extracting(FeedbackEntry::getEntryId).containsExactly("a", "b");
        assertThat(union.getRevision()).isEqualTo(2);
        // The union brings nothing new and lacks nothing: no further repair.
        assertThat(ledger.merge(union)).isEqualTo(new FeedbackLedger.Merge(0, 0));
    }

    @Test
    void replaying_the_same_record_changes_nothing() {
        FeedbackLedger ledger = new FeedbackLedger("s", "st");
        SeriesFeedback r1 = ledger.with(entry("a", null, "dr.a", FeedbackAnswer.AGREE, 1), T);
        assertThat(ledger.merge(r1).added()).isEqualTo(1);
        assertThat(ledger.merge(r1)).isEqualTo(new FeedbackLedger.Merge(0, 0));
        assertThat(ledger.history()).hasSize(1);
    }
}
