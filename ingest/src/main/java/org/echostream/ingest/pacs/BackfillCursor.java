package org.echostream.ingest.pacs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Where a backfill resumes: the last study, in query order (date, then UID), before which every study is done,
 * with the counts up to there. Kept in {@code JobStatus.cursor} on the compacted job-status topic. Studies after
 * it are done again on resume; what they had already ingested is skipped by the ledger, so nothing is duplicated.
 *
 * @param after the sort key of the last study of the done prefix ({@link StudyMatch#sortKey()})
 */
public record BackfillCursor(String after, BackfillTally tally) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public String encode() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a backfill cursor is plain data and always serialises", e);
        }
    }

    /** @return the cursor, or null when the text is absent or not a cursor (the backfill then starts over; the ledger skips) */
    public static BackfillCursor decode(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            BackfillCursor c = JSON.readValue(text, BackfillCursor.class);
            return c.after() == null || c.tally() == null ? null : c;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
