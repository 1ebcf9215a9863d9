package org.echostream.api.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.echostream.api.EchoFixtures;
import org.echostream.contracts.FeedbackAnswer;
import org.echostream.contracts.FeedbackFinding;
import org.junit.jupiter.api.Test;

class FeedbackRulesTest {

    static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    final FeedbackRules rules = new FeedbackRules(Clock.fixed(NOW, ZoneOffset.UTC), () -> "entry-1", 20);
    final FeedbackRules.SeriesFacts series = new FeedbackRules.SeriesFacts("1.2.3", "1.2", Set.of("evt-1"), true, 3.5, EchoFixtures.model());

    @Test
    void accepts_a_disagreement_on_an_event_with_a_regional_finding_and_keeps_the_score_it_answered() {
        var result = rules.check(new FeedbackForm("evt-1", "disagree", "REGIONAL_WALL_MOTION_ABNORMALITY", 7, "  septal  "), series, "dr.a");
        assertThat(result).isInstanceOf(FeedbackSubmission.Accepted.class);
        var entry = ((FeedbackSubmission.Accepted) result).entry();
        assertThat(entry.getAnswer()).isEqualTo(FeedbackAnswer.DISAGREE);
        assertThat(entry.getFinding()).isEqualTo(FeedbackFinding.REGIONAL_WALL_MOTION_ABNORMALITY);
        assertThat(entry.getSegment()).isEqualTo(7);
        assertThat(entry.getComment()).isEqualTo("septal");
        assertThat(entry.getFlaggedWhenAnswered()).isTrue();
        assertThat(entry.getScoreWhenAnswered()).isEqualTo(3.5);
        assertThat(entry.getAnsweredAt()).isEqualTo(NOW);
        assertThat(entry.getClinician()).isEqualTo("dr.a");
        assertThat(entry.getEntryId()).isEqualTo("entry-1");
    }

    @Test
    void accepts_a_bare_answer_on_the_series() {
        var result = rules.check(new FeedbackForm(null, "UNCERTAIN", null, null, ""), series, "dr.a");
        assertThat(result).isInstanceOfSatisfying(FeedbackSubmission.Accepted.class, a -> {
            assertThat(a.entry().getEventId()).isNull();
            assertThat(a.entry().getComment()).isNull();
            assertThat(a.entry().getFinding()).isNull();
        });
    }

    @Test
    void refuses_with_a_reason_what_is_malformed() {
        assertThat(reason(null)).contains("body must be JSON");
        assertThat(reason(new FeedbackForm(null, "maybe", null, null, null))).contains("answer must be one of").contains("'maybe'");
        assertThat(reason(new FeedbackForm(null, null, null, null, null))).contains("got nothing");
        assertThat(reason(new FeedbackForm("evt-9", "AGREE", null, null, null))).isEqualTo("series 1.2.3 has no anomaly event evt-9");
        assertThat(reason(new FeedbackForm(null, "AGREE", "GALLSTONES", null, null))).contains("finding must be one of");
        assertThat(reason(new FeedbackForm(null, "AGREE", "REGIONAL_WALL_MOTION_ABNORMALITY", null, null))).contains("needs its segment");
        assertThat(reason(new FeedbackForm(null, "AGREE", "REGIONAL_WALL_MOTION_ABNORMALITY", 18, null))).contains("between 1 and 17").contains("got 18");
        assertThat(reason(new FeedbackForm(null, "AGREE", "REDUCED_EF", 3, null))).contains("only with finding REGIONAL_WALL_MOTION_ABNORMALITY");
        assertThat(reason(new FeedbackForm(null, "AGREE", null, null, "bell\u0007"))).contains("control characters");
    }

    @Test
    void a_refusal_never_repeats_the_comment_or_free_text_it_was_given() {
        String secret = "Patient Jane Doe 1961 MRN 4711 has";
        String tooLong = secret.repeat(2);
        assertThat(reason(new FeedbackForm(null, "AGREE", null, null, tooLong))).doesNotContain("Jane").contains("at most 20");
        assertThat(reason(new FeedbackForm(null, "<script>" + secret, null, null, null))).doesNotContain("Jane").doesNotContain("<script>");
        assertThat(reason(new FeedbackForm("Jane Doe/../x", "AGREE", null, null, null))).doesNotContain("Jane");
    }

    private String reason(FeedbackForm form) {
        var result = rules.check(form, series, "dr.a");
        assertThat(result).isInstanceOf(FeedbackSubmission.Rejected.class);
        return ((FeedbackSubmission.Rejected) result).reason();
    }
}
