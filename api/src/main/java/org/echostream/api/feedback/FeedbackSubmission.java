package org.echostream.api.feedback;

import org.echostream.contracts.FeedbackEntry;

/** What {@link FeedbackRules#check} made of a form: an entry to record, or the reason it was refused. */
public sealed interface FeedbackSubmission {

    record Accepted(FeedbackEntry entry) implements FeedbackSubmission {
    }

    /** @param reason one sentence for the 400 answer; never repeats the comment */
    record Rejected(String reason) implements FeedbackSubmission {
    }
}
