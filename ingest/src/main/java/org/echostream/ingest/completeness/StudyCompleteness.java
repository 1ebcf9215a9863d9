package org.echostream.ingest.completeness;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;

/**
 * Decides when a study is complete. DICOM has no "end of study" message: a modality or a PACS sends a study over
 * one or more associations, in any order, sometimes minutes apart. A study is PROVISIONAL from its first instance
 * and becomes FINAL when the first of these holds:
 * <ol>
 *   <li>{@link #ANNOUNCED_COUNT_REACHED}: the source announced how many instances it holds (a backfill's listing),
 *       and that many distinct instances arrived;</li>
 *   <li>{@link #ASSOCIATION_RELEASED_AND_QUIET}: every source that delivered instances of it finished cleanly
 *       (association released, STOW-RS request answered, import or backfill of the study ended), and no instance
 *       came for the quiet window since: senders often open a new association per series right after the last;</li>
 *   <li>{@link #INACTIVITY}: no instance for the inactivity window, whatever the sources (an aborted association, a
 *       restart, a source that never says it is done).</li>
 * </ol>
 * A new instance after FINAL reopens the study as PROVISIONAL with the next version, so a result sent on for
 * version N is never mistaken for the complete study once it grew.
 *
 * <p>Every change is proposed to a {@link StatusSink} first and applied only when the sink returned: the ingest
 * pipeline publishes the status in the same Kafka transaction as the instance, so the tracker never claims more
 * than Kafka holds. One monitor guards everything; callers publish one transaction at a time anyway.
 */
public final class StudyCompleteness {

    public static final String ANNOUNCED_COUNT_REACHED = "ANNOUNCED_COUNT_REACHED";
    public static final String ASSOCIATION_RELEASED_AND_QUIET = "ASSOCIATION_RELEASED_AND_QUIET";
    public static final String INACTIVITY = "INACTIVITY";

    /**
     * @param quietAfterRelease silence after the last source finished before the study is final
     * @param inactivity        silence after the last instance before the study is final whatever the sources
     */
    public record Rules(Duration quietAfterRelease, Duration inactivity) {
        public Rules {
            if (quietAfterRelease.isNegative() || inactivity.isNegative() || inactivity.compareTo(quietAfterRelease) < 0) {
                throw new IllegalArgumentException("completeness windows: quiet-after-release " + quietAfterRelease
                        + " must be >= 0 and no longer than inactivity " + inactivity);
            }
        }
    }

    /** Receives proposed statuses; throwing refuses them and the tracker stays as it was. */
    @FunctionalInterface
    public interface StatusSink<E extends Exception> {
        void publish(List<StudyStatus> statuses) throws E;
    }

    /** What the tracker holds about one study. */
    private static final class Study {
        final String uid;
        StudyState state = StudyState.PROVISIONAL;
        int version = 1;
        /** Distinct SOP Instance UIDs; shared with proposed copies and only added to once a proposal is applied. */
        Set<String> sops = new HashSet<>();
        int received;
        Integer expected;
        final TreeSet<String> series = new TreeSet<>();
        Instant lastInstanceAt;
        Instant releasedAt;
        Instant finalisedAt;
        String finalReason;
        Instant updatedAt;
        /** Sources delivering this study now (associations, requests, jobs); local to this process. */
        final Set<String> openSessions = new HashSet<>();
        /** Whether anything changed since the last status published for it. */
        boolean dirty;
        /** Whether a status was ever published (or restored): a study only announced has none. */
        boolean seen;

        Study(String uid) {
            this.uid = uid;
        }

        Study copy() {
            Study c = new Study(uid);
            c.state = state;
            c.version = version;
            c.received = received;
            c.expected = expected;
            c.series.addAll(series);
            c.lastInstanceAt = lastInstanceAt;
            c.releasedAt = releasedAt;
            c.finalisedAt = finalisedAt;
            c.finalReason = finalReason;
            c.updatedAt = updatedAt;
            c.openSessions.addAll(openSessions);
            c.dirty = dirty;
            c.seen = seen;
            c.sops = sops;
            return c;
        }

        StudyStatus status() {
            return StudyStatus.newBuilder()
                    .setStudyInstanceUid(uid).setState(state).setVersion(version).setInstancesReceived(received)
                    .setInstancesExpected(expected).setSeriesInstanceUids(List.copyOf(series)).setFinalReason(finalReason)
                    .setLastInstanceAt(lastInstanceAt).setReleasedAt(releasedAt).setFinalisedAt(finalisedAt).setUpdatedAt(updatedAt)
                    .build();
        }

        void finalise(String reason, Instant at) {
            state = StudyState.FINAL;
            finalReason = reason;
            finalisedAt = at;
            updatedAt = at;
            dirty = true;
        }
    }

    private final Rules rules;
    private final Map<String, Study> studies = new HashMap<>();
    private final Map<String, Set<String>> studiesBySession = new HashMap<>();

    public StudyCompleteness(Rules rules) {
        this.rules = rules;
    }

    public Rules rules() {
        return rules;
    }

    /**
     * An instance of a study was processed (any verdict) and is about to be published. The sink gets the
     * study's new status (none when the instance was already counted) and publishes it with the instance.
     *
     * @param session the source delivering it (association, request, job), or null when unknown
     */
    public synchronized <E extends Exception> void onInstance(String studyUid, String seriesUid, String sopUid, String session, Instant at,
                                                              StatusSink<E> sink) throws E {
        Study current = studies.get(studyUid);
        boolean counted = current != null && current.sops.contains(sopUid);
        Study next = current == null ? new Study(studyUid) : current.copy();
        if (!counted) {
            if (next.state == StudyState.FINAL) {
                next.state = StudyState.PROVISIONAL; // reopened: results sent for the last version no longer cover the study
                next.version++;
                next.finalReason = null;
                next.finalisedAt = null;
            }
            next.received++;
            next.lastInstanceAt = at;
            next.releasedAt = null;
            if (seriesUid != null) {
                next.series.add(seriesUid);
            }
            next.updatedAt = at;
            if (next.expected != null && next.received >= next.expected) {
                next.finalise(ANNOUNCED_COUNT_REACHED, at);
            }
        }
        if (session != null) {
            next.openSessions.add(session);
        }
        sink.publish(counted ? List.of() : List.of(next.status()));
        next.dirty = false;
        next.seen = next.seen || !counted;
        if (!counted) {
            next.sops.add(sopUid);
        }
        studies.put(studyUid, next);
        if (session != null) {
            studiesBySession.computeIfAbsent(session, s -> new HashSet<>()).add(studyUid);
        }
    }

    /**
     * A source says how many instances of a study it will deliver, and keeps the study open until it ends the
     * session (a backfill announces the instances it listed on the PACS, then retrieves them).
     */
    public synchronized void expect(String studyUid, int expected, String session) {
        Study s = studies.computeIfAbsent(studyUid, Study::new);
        s.expected = expected;
        s.dirty = s.seen;
        if (session != null) {
            s.openSessions.add(session);
            studiesBySession.computeIfAbsent(session, k -> new HashSet<>()).add(studyUid);
        }
    }

    /**
     * A source finished: an association released ({@code released}) or aborted, a request answered, a job done.
     * Studies it delivered whose every source has now finished cleanly count their quiet window from {@code at}.
     */
    public synchronized void sessionEnded(String session, boolean released, Instant at) {
        Set<String> touched = studiesBySession.remove(session);
        if (touched == null) {
            return;
        }
        for (String uid : touched) {
            Study s = studies.get(uid);
            if (s == null) {
                continue;
            }
            s.openSessions.remove(session);
            if (released && s.openSessions.isEmpty() && s.seen && s.state == StudyState.PROVISIONAL) {
                s.releasedAt = at;
                s.updatedAt = at;
                s.dirty = true;
            }
        }
    }

    /**
     * Finalises what is due at {@code now} and republishes studies whose status changed without an instance
     * (released, announced). The sink publishes them all at once; when it throws, nothing changes.
     *
     * @return how many statuses were published
     */
    public synchronized <E extends Exception> int tick(Instant now, StatusSink<E> sink) throws E {
        Map<String, Study> proposed = new HashMap<>();
        for (Study s : studies.values()) {
            if (!s.seen) {
                continue;
            }
            String reason = s.state == StudyState.PROVISIONAL ? dueReason(s, now) : null;
            if (reason == null && !s.dirty) {
                continue;
            }
            Study next = s.copy();
            if (reason != null) {
                next.finalise(reason, now);
            }
            proposed.put(s.uid, next);
        }
        if (proposed.isEmpty()) {
            return 0;
        }
        List<StudyStatus> statuses = new ArrayList<>();
        proposed.values().forEach(s -> statuses.add(s.status()));
        sink.publish(statuses);
        for (Study next : proposed.values()) {
            next.dirty = false;
            studies.put(next.uid, next);
        }
        return statuses.size();
    }

    private String dueReason(Study s, Instant now) {
        if (s.expected != null && s.received >= s.expected) {
            return ANNOUNCED_COUNT_REACHED;
        }
        if (s.openSessions.isEmpty() && s.releasedAt != null) {
            Instant quietSince = later(s.releasedAt, s.lastInstanceAt);
            if (!now.isBefore(quietSince.plus(rules.quietAfterRelease()))) {
                return ASSOCIATION_RELEASED_AND_QUIET;
            }
        }
        if (s.lastInstanceAt != null && !now.isBefore(s.lastInstanceAt.plus(rules.inactivity()))) {
            return INACTIVITY;
        }
        return null;
    }

    /** An instance known from the instances topic at start (counted, nothing published). */
    public synchronized void restoreInstance(String studyUid, String seriesUid, String sopUid, Instant receivedAt) {
        Study s = studies.computeIfAbsent(studyUid, Study::new);
        if (s.sops.add(sopUid)) {
            s.received = Math.max(s.received, s.sops.size());
            if (seriesUid != null) {
                s.series.add(seriesUid);
            }
            if (s.lastInstanceAt == null || receivedAt.isAfter(s.lastInstanceAt)) {
                s.lastInstanceAt = receivedAt;
            }
            if (s.updatedAt == null) {
                s.updatedAt = receivedAt;
            }
            s.seen = true;
        }
    }

    /**
     * A status read from the study-status topic: at start, or written by another process (a command-line import,
     * another replica). The higher version wins; within a version FINAL wins and counts only grow.
     */
    public synchronized void adopt(StudyStatus status) {
        Study s = studies.computeIfAbsent(status.getStudyInstanceUid(), Study::new);
        boolean newer = !s.seen || status.getVersion() > s.version;
        if (!newer && status.getVersion() < s.version) {
            return;
        }
        if (newer || status.getState() == StudyState.FINAL && s.state == StudyState.PROVISIONAL) {
            s.version = status.getVersion();
            s.state = status.getState();
            s.finalReason = status.getFinalReason();
            s.finalisedAt = status.getFinalisedAt();
        }
        s.received = Math.max(Math.max(s.received, status.getInstancesReceived()), s.sops.size());
        if (status.getInstancesExpected() != null) {
            s.expected = status.getInstancesExpected();
        }
        s.series.addAll(status.getSeriesInstanceUids());
        s.lastInstanceAt = later(s.lastInstanceAt, status.getLastInstanceAt());
        s.releasedAt = s.state == StudyState.PROVISIONAL && s.openSessions.isEmpty() ? later(s.releasedAt, status.getReleasedAt()) : s.releasedAt;
        s.updatedAt = later(s.updatedAt, status.getUpdatedAt());
        s.seen = true;
    }

    /** The status the tracker holds for a study, if it has one. */
    public synchronized java.util.Optional<StudyStatus> status(String studyUid) {
        Study s = studies.get(studyUid);
        return s == null || !s.seen ? java.util.Optional.empty() : java.util.Optional.of(s.status());
    }

    public synchronized int provisionalStudies() {
        return (int) studies.values().stream().filter(s -> s.seen && s.state == StudyState.PROVISIONAL).count();
    }

    public synchronized int size() {
        return studies.size();
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : (b.isAfter(a) ? b : a);
    }
}
