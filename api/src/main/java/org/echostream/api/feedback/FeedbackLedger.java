package org.echostream.api.feedback;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.echostream.contracts.FeedbackAnswer;
import org.echostream.contracts.FeedbackEntry;
import org.echostream.contracts.SeriesFeedback;

/**
 * Every answer given on one series, merged from its {@code feedback.v1} records. An entry is never removed:
 * records are merged by entry id, so a record written from a view that had not yet seen another writer's
 * answer does not erase it here; {@link #merge} says so, and the caller republishes the union so that
 * compaction (which keeps only a key's last record) keeps every answer. Not thread-safe: the read model
 * guards it with its lock.
 */
public final class FeedbackLedger {

    /** Oldest first; a tie on the millisecond is broken by entry id so every replica orders alike. */
    public static final Comparator<FeedbackEntry> CHRONOLOGICAL = Comparator.comparing(FeedbackEntry::getAnsweredAt)
            .thenComparing(FeedbackEntry::getEntryId);

    /** @param added entries the record brought; {@code lackedHeld} entries held here that the record did not carry */
    public record Merge(int added, int lackedHeld) {
    }

    /** Answers in force (each clinician's latest per target), counted by kind; {@code reviewers} distinct clinicians. */
    public record Counts(int agree, int disagree, int uncertain, int reviewers) {
        public static final Counts NONE = new Counts(0, 0, 0, 0);

        public int total() {
            return agree + disagree + uncertain;
        }

        public Counts plus(Counts o) {
            return new Counts(agree + o.agree, disagree + o.disagree, uncertain + o.uncertain, reviewers + o.reviewers);
        }
    }

    private final String seriesUid;
    private String studyUid;
    private int revision;
    private final Map<String, FeedbackEntry> entries = new HashMap<>();

    public FeedbackLedger(String seriesUid, String studyUid) {
        this.seriesUid = Objects.requireNonNull(seriesUid, "seriesUid");
        this.studyUid = studyUid;
    }

    public Merge merge(SeriesFeedback record) {
        if (!record.getSeriesInstanceUid().equals(seriesUid)) {
            throw new IllegalArgumentException("feedback of series " + record.getSeriesInstanceUid() + " merged into the ledger of " + seriesUid);
        }
        studyUid = record.getStudyInstanceUid();
        int added = 0;
        java.util.Set<String> carried = new java.util.HashSet<>();
        for (FeedbackEntry e : record.getEntries()) {
            carried.add(e.getEntryId());
            if (entries.putIfAbsent(e.getEntryId(), e) == null) {
                added++;
            }
        }
        int lacked = (int) entries.keySet().stream().filter(id -> !carried.contains(id)).count();
        revision = Math.max(revision, record.getRevision());
        return new Merge(added, lacked);
    }

    /** The record to write for a new answer: every answer held plus this one, revision + 1. */
    public SeriesFeedback with(FeedbackEntry entry, Instant now) {
        List<FeedbackEntry> all = new ArrayList<>(entries.values());
        all.add(entry);
        all.sort(CHRONOLOGICAL);
        return new SeriesFeedback(seriesUid, studyUid, revision + 1, all, now);
    }

    /** The union held, as one record (to republish after a merge that found answers a record lacked). */
    public SeriesFeedback whole(Instant now) {
        return new SeriesFeedback(seriesUid, studyUid, revision + 1, history(), now);
    }

    public int revision() {
        return revision;
    }

    public String studyUid() {
        return studyUid;
    }

    /** Every answer ever given, oldest first. */
    public List<FeedbackEntry> history() {
        List<FeedbackEntry> all = new ArrayList<>(entries.values());
        all.sort(CHRONOLOGICAL);
        return all;
    }

    /** The answers in force: for each target (the series, or one event) each clinician's latest, oldest first. */
    public List<FeedbackEntry> current() {
        Map<String, FeedbackEntry> latest = new LinkedHashMap<>();
        for (FeedbackEntry e : history()) {
            latest.put((e.getEventId() == null ? "" : e.getEventId()) + "\u0000" + e.getClinician(), e);
        }
        List<FeedbackEntry> inForce = new ArrayList<>(latest.values());
        inForce.sort(CHRONOLOGICAL);
        return inForce;
    }

    public Counts counts() {
        int agree = 0;
        int disagree = 0;
        int uncertain = 0;
        java.util.Set<String> reviewers = new java.util.HashSet<>();
        for (FeedbackEntry e : current()) {
            reviewers.add(e.getClinician());
            if (e.getAnswer() == FeedbackAnswer.AGREE) {
                agree++;
            } else if (e.getAnswer() == FeedbackAnswer.DISAGREE) {
                disagree++;
            } else {
                uncertain++;
            }
        }
        return new Counts(agree, disagree, uncertain, reviewers.size());
    }

    public boolean answered() {
        return !entries.isEmpty();
    }
}
