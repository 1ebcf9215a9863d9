package org.echostream.api.model;

import java.time.LocalDate;
import java.util.Locale;

/**
 * Worklist filter. Every criterion is optional (null: any).
 *
 * @param from    first study date (inclusive); studies without a date never match a date range
 * @param to      last study date (inclusive)
 * @param flagged only flagged (true) or only unflagged (false) studies
 * @param status  RECEIVED, IN_PROGRESS, SCORED or NOT_SCORED
 * @param reviewed only studies clinicians reviewed (true) or not (false); see {@link Views.Feedback}
 * @param text    case-insensitive substring of patient name or id, accession number, description or UID
 * @param offset  rows to skip
 * @param limit   rows to return
 */
public record StudyQuery(LocalDate from, LocalDate to, Boolean flagged, Boolean reviewed, String status, String text, int offset, int limit) {

    public static final java.util.Set<String> STATUSES = java.util.Set.of("RECEIVED", "IN_PROGRESS", "SCORED", "NOT_SCORED");

    public StudyQuery {
        if (offset < 0 || limit < 1) {
            throw new IllegalArgumentException("offset must be >= 0 and limit >= 1, got offset " + offset + ", limit " + limit);
        }
        if (from != null && to != null && from.isAfter(to)) {
            throw new IllegalArgumentException("date range is empty: from " + from + " is after to " + to);
        }
        if (status != null && !STATUSES.contains(status)) {
            throw new IllegalArgumentException("status must be one of " + new java.util.TreeSet<>(STATUSES) + ", got '" + status + "'");
        }
        text = text == null || text.isBlank() ? null : text.strip().toLowerCase(Locale.ROOT);
    }

    public static StudyQuery all(int limit) {
        return new StudyQuery(null, null, null, null, null, null, 0, limit);
    }
}
