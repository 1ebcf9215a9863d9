package org.echostream.ingest.pacs;

/**
 * A study the PACS says matches a backfill query.
 *
 * @param studyDate          Study Date as the PACS gave it (YYYYMMDD), may be empty; orders the backfill
 * @param announcedInstances Number of Study Related Instances when the PACS gave it (every modality), else null
 */
public record StudyMatch(String studyInstanceUid, String studyDate, Integer announcedInstances) {

    /** The order a backfill works in and its cursor compares: date, then UID. */
    public String sortKey() {
        return (studyDate == null ? "" : studyDate) + "|" + studyInstanceUid;
    }
}
