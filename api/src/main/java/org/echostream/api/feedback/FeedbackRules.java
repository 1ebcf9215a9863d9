package org.echostream.api.feedback;

import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.echostream.contracts.FeedbackAnswer;
import org.echostream.contracts.FeedbackEntry;
import org.echostream.contracts.FeedbackFinding;
import org.echostream.contracts.ModelRef;

/**
 * Checks a clinician's answer against the series it is about and turns it into a {@link FeedbackEntry}. Pure:
 * the clock and the entry ids are injected, nothing is sent or logged here.
 */
public final class FeedbackRules {

    /** AHA 17-segment model of the left ventricle (Cerqueira et al., Circulation 2002). */
    public static final int SEGMENTS = 17;

    /**
     * What the api knows of the series when the answer comes in.
     *
     * @param eventIds the series' anomaly events, the only ones an answer may name
     */
    public record SeriesFacts(String seriesInstanceUid, String studyInstanceUid, Set<String> eventIds, boolean flagged, Double score,
                              ModelRef model) {
    }

    private final Clock clock;
    private final Supplier<String> entryIds;
    private final int maxCommentChars;

    public FeedbackRules(Clock clock, Supplier<String> entryIds, int maxCommentChars) {
        this.clock = clock;
        this.entryIds = entryIds;
        this.maxCommentChars = maxCommentChars;
    }

    public FeedbackSubmission check(FeedbackForm form, SeriesFacts series, String clinician) {
        if (form == null) {
            return new FeedbackSubmission.Rejected("the body must be JSON like {\"answer\":\"DISAGREE\",\"eventId\":null,"
                    + "\"finding\":\"REGIONAL_WALL_MOTION_ABNORMALITY\",\"segment\":7,\"comment\":\"...\"}");
        }
        FeedbackAnswer answer = parse(FeedbackAnswer.class, form.answer());
        if (answer == null) {
            return new FeedbackSubmission.Rejected("answer must be one of " + Arrays.toString(FeedbackAnswer.values()) + ", got "
                    + quoted(form.answer()));
        }
        if (form.eventId() != null && !series.eventIds().contains(form.eventId())) {
            return new FeedbackSubmission.Rejected("series " + series.seriesInstanceUid() + " has no anomaly event "
                    + (form.eventId().matches("[0-9A-Za-z.\\-_]{1,128}") ? form.eventId() : "of that id"));
        }
        FeedbackFinding finding = null;
        if (form.finding() != null && !form.finding().isBlank()) {
            finding = parse(FeedbackFinding.class, form.finding());
            if (finding == null) {
                return new FeedbackSubmission.Rejected("finding must be one of " + Arrays.toString(FeedbackFinding.values()) + " or absent, got "
                        + quoted(form.finding()));
            }
        }
        boolean regional = finding == FeedbackFinding.REGIONAL_WALL_MOTION_ABNORMALITY;
        if (regional && form.segment() == null) {
            return new FeedbackSubmission.Rejected("a regional wall motion abnormality needs its segment (1-" + SEGMENTS + ", AHA 17-segment model)");
        }
        if (form.segment() != null && !regional) {
            return new FeedbackSubmission.Rejected("segment is given only with finding REGIONAL_WALL_MOTION_ABNORMALITY, got segment "
                    + form.segment() + " with finding " + (finding == null ? "none" : finding.name()));
        }
        if (form.segment() != null && (form.segment() < 1 || form.segment() > SEGMENTS)) {
            return new FeedbackSubmission.Rejected("segment must be between 1 and " + SEGMENTS + " (AHA 17-segment model), got " + form.segment());
        }
        String comment = form.comment() == null || form.comment().isBlank() ? null : form.comment().strip();
        if (comment != null && comment.codePointCount(0, comment.length()) > maxCommentChars) {
            // The length only: the text itself never goes into an answer, a log or a metric.
            return new FeedbackSubmission.Rejected("comment has " + comment.codePointCount(0, comment.length()) + " characters, at most "
                    + maxCommentChars + " are kept");
        }
        if (comment != null && comment.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t')) {
            return new FeedbackSubmission.Rejected("comment holds control characters other than line breaks and tabs");
        }
        return new FeedbackSubmission.Accepted(FeedbackEntry.newBuilder()
                .setEntryId(entryIds.get())
                .setEventId(form.eventId())
                .setClinician(clinician)
                .setAnswer(answer)
                .setFinding(finding)
                .setSegment(form.segment())
                .setComment(comment)
                .setFlaggedWhenAnswered(series.flagged())
                .setScoreWhenAnswered(series.score())
                .setModel(series.model())
                .setAnsweredAt(clock.instant())
                .build());
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A short, safe echo of a refused enum value: a caller may have typed anything there. */
    private static String quoted(String value) {
        if (value == null) {
            return "nothing";
        }
        return value.matches("[0-9A-Za-z_\\- ]{1,40}") ? "'" + value + "'" : "a value that is none of them";
    }
}
