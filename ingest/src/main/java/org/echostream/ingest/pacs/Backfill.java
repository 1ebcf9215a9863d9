package org.echostream.ingest.pacs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.InstanceLedger;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.echostream.ingest.pipeline.Throttle;

/**
 * Pulls the echo studies matching a query from one PACS node into the pipeline. Finds the studies (one query per
 * date range, patient ID or accession number), orders them by date and UID, and works through them with at most
 * the node's max-associations workers, each on its own association: lists the study's ultrasound instances,
 * skips what the ledger already holds, announces the rest to study completeness, and retrieves them one series
 * batch at a time, no faster than the node's instances per second. A retrieval that fails is retried with a
 * doubling pause; an instance still missing after the retries gets a dead letter with the reason ("success but
 * zero instances" included) and the job goes on. The job stops, resumable, when our own side cannot make
 * instances durable (Kafka, spool), when the PACS refuses us outright (credentials, AE title), or when it
 * delivers nothing for several retrievals in a row.
 */
public final class Backfill {

    /**
     * @param batchInstances             most instances asked for in one retrieval (of one series)
     * @param retries                    attempts after a failed retrieval before its instances are dead-lettered
     * @param backoff                    pause before the first retry, doubled for each next one
     * @param maxConsecutiveEmpty        retrievals in a row that deliver nothing before the job stops
     */
    public record Settings(int batchInstances, int retries, Duration backoff, int maxConsecutiveEmpty) {
        public Settings {
            if (batchInstances < 1 || retries < 0 || maxConsecutiveEmpty < 1) {
                throw new IllegalArgumentException("backfill: batch-instances and max-consecutive-empty must be >= 1, retries >= 0");
            }
        }
    }

    /** How a backfill ended. */
    public enum Ending { SUCCEEDED, FAILED, CANCELLED }

    /**
     * Where a backfill stands.
     *
     * @param studiesTotal       studies matching the query
     * @param instancesTotal     instances listed so far plus the PACS's announced counts of studies not listed yet (an estimate)
     * @param tally              counts, including those of the run this one resumed
     * @param instancesPerSecond instances retrieved (not skipped) per second in this run
     * @param bytesPerSecond     bytes retrieved per second in this run
     * @param etaSeconds         time left at that rate, when known
     * @param cursor             the resume cursor ({@link BackfillCursor#encode()}), null before the first study is done
     * @param cursorMoved        whether the cursor moved since the last progress (worth publishing at once)
     */
    public record Progress(long studiesTotal, long instancesTotal, BackfillTally tally, Double instancesPerSecond, Double bytesPerSecond,
                           Double etaSeconds, String cursor, boolean cursorMoved) {
    }

    /**
     * @param requests     retrieval requests sent (C-MOVE, C-GET or WADO-RS), retries included
     * @param throttleWaits how many of them had to wait for the instances-per-second limit
     */
    public record Summary(Progress progress, Ending ending, String message, long requests, long throttleWaits) {
    }

    @FunctionalInterface
    public interface Listener {
        void onProgress(Progress progress);
    }

    @FunctionalInterface
    public interface DeadLetterSink {
        void deadLetter(DeadLetter letter) throws Exception;
    }

    /** Where the previous run of the same job stopped (from its last JobStatus), or {@link #NONE}. */
    public record Resume(BackfillCursor cursor) {
        public static final Resume NONE = new Resume(null);
    }

    private final PacsNode node;
    private final PacsConnection.Factory connections;
    private final InstanceLedger ledger;
    private final StudyCompleteness studies;
    private final Clock clock;
    private final Throttle throttle;
    private final Settings settings;
    private final Throttle.Sleeper sleeper;
    private final DeadLetterSink deadLetterSink;
    private final DeadLetters deadLetters;

    public Backfill(PacsNode node, PacsConnection.Factory connections, InstanceLedger ledger, StudyCompleteness studies, Clock clock,
                    Throttle throttle, Settings settings, Throttle.Sleeper sleeper, DeadLetterSink deadLetterSink) {
        this.node = node;
        this.connections = connections;
        this.ledger = ledger;
        this.studies = studies;
        this.clock = clock;
        this.throttle = throttle;
        this.settings = settings;
        this.sleeper = sleeper;
        this.deadLetterSink = deadLetterSink;
        this.deadLetters = new DeadLetters("ingest", clock);
    }

    /** One query per patient ID and accession number (or one for the date range alone). */
    static List<StudyQuery> queries(BackfillParameters p) {
        List<StudyQuery> queries = new ArrayList<>();
        p.patientIds().forEach(id -> queries.add(new StudyQuery(p.studyDateFrom(), p.studyDateTo(), id, null)));
        p.accessionNumbers().forEach(a -> queries.add(new StudyQuery(p.studyDateFrom(), p.studyDateTo(), null, a)));
        if (queries.isEmpty()) {
            queries.add(new StudyQuery(p.studyDateFrom(), p.studyDateTo(), null, null));
        }
        return queries;
    }

    public Summary run(String jobId, BackfillParameters query, Resume resume, Listener listener, BooleanSupplier cancelled)
            throws InterruptedException {
        Run run = new Run(jobId, resume.cursor(), listener, cancelled);
        try {
            return run.execute(query);
        } finally {
            run.closeAll();
        }
    }

    /** Stops every worker; the first reason wins. */
    private record Stop(Ending ending, String message) {
    }

    /** A retrieval or listing problem that ends the job rather than one instance. */
    private static final class Fatal extends Exception {
        Fatal(String message) {
            super(message);
        }
    }

    /** One run of one job. */
    private final class Run {
        private final String jobId;
        private final BackfillCursor resumedFrom;
        private final Listener listener;
        private final BooleanSupplier cancelled;
        private final Instant started = clock.instant();
        private final List<PacsConnection> open = new ArrayList<>();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong throttleWaits = new AtomicLong();
        private final AtomicInteger consecutiveEmpty = new AtomicInteger();
        private volatile Stop stop;
        private String lastEmptyReason;

        // guarded by this
        private List<StudyMatch> order = List.of();
        private boolean[] done = new boolean[0];
        private BackfillTally[] perStudy = new BackfillTally[0];
        private long[] expectedInstances = new long[0];
        private int watermark;
        private BackfillTally watermarkTally;
        private BackfillTally thisRun = BackfillTally.NONE;
        private long retrievedInstances;
        private long retrievedBytes;

        Run(String jobId, BackfillCursor resumedFrom, Listener listener, BooleanSupplier cancelled) {
            this.jobId = jobId;
            this.resumedFrom = resumedFrom;
            this.listener = listener;
            this.cancelled = cancelled;
            this.watermarkTally = resumedFrom == null ? BackfillTally.NONE : resumedFrom.tally();
        }

        Summary execute(BackfillParameters query) throws InterruptedException {
            PacsConnection first = connect();
            Map<String, StudyMatch> found = new LinkedHashMap<>();
            for (StudyQuery q : queries(query)) {
                try {
                    for (StudyMatch m : withRetries(() -> first.findStudies(q), "query")) {
                        found.putIfAbsent(m.studyInstanceUid(), m);
                    }
                } catch (PacsException e) {
                    return end(new Stop(Ending.FAILED, "cannot query " + node.name() + ": " + e.getMessage() + " (" + e.reasonCode() + ")"));
                }
            }
            List<StudyMatch> all = new ArrayList<>(found.values());
            all.sort(Comparator.comparing(StudyMatch::sortKey));
            long before = resumedFrom == null ? 0 : all.stream().filter(s -> s.sortKey().compareTo(resumedFrom.after()) <= 0).count();
            List<StudyMatch> todo = all.subList((int) before, all.size());
            synchronized (this) {
                order = List.copyOf(todo);
                done = new boolean[todo.size()];
                perStudy = new BackfillTally[todo.size()];
                expectedInstances = new long[todo.size()];
                for (int i = 0; i < todo.size(); i++) {
                    Integer announced = todo.get(i).announcedInstances();
                    expectedInstances[i] = announced == null ? 0 : announced;
                }
            }
            progress(false, all.size());
            int workers = Math.max(1, Math.min(node.maxAssociations(), todo.size()));
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> new Thread(r, "backfill-" + node.name()));
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                PacsConnection connection = w == 0 ? first : connect();
                running.add(pool.submit(() -> work(connection, next, all.size())));
            }
            try {
                for (Future<?> f : running) {
                    f.get();
                }
            } catch (java.util.concurrent.ExecutionException e) {
                stop(new Stop(Ending.FAILED, "backfill worker failed unexpectedly: " + e.getCause()));
            } finally {
                pool.shutdownNow();
            }
            if (stop == null && cancelled.getAsBoolean()) {
                stop(new Stop(Ending.CANCELLED, "cancelled"));
            }
            BackfillTally total = total();
            if (stop != null) {
                return end(stop);
            }
            if (total.failed() > 0) {
                return end(new Stop(Ending.FAILED, total.failed() + " instance(s) could not be retrieved " + total.failedByReason()
                        + " (dead letters on " + deadLetters.topic().name() + "); run the backfill again to retry them"));
            }
            return end(new Stop(Ending.SUCCEEDED, null));
        }

        private void work(PacsConnection connection, AtomicInteger next, int studiesTotal) {
            while (stop == null) {
                if (cancelled.getAsBoolean()) {
                    stop(new Stop(Ending.CANCELLED, "cancelled"));
                    return;
                }
                int index = next.getAndIncrement();
                StudyMatch study;
                synchronized (this) {
                    if (index >= order.size()) {
                        return;
                    }
                    study = order.get(index);
                }
                try {
                    BackfillTally tally = study(connection, index, study);
                    if (tally != null) {
                        finished(index, tally, studiesTotal);
                    }
                } catch (Fatal e) {
                    stop(new Stop(Ending.FAILED, e.getMessage()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stop(new Stop(Ending.CANCELLED, "interrupted"));
                }
            }
        }

        /** @return the study's counts, or null when the job stopped in the middle of it */
        private BackfillTally study(PacsConnection connection, int index, StudyMatch study) throws Fatal, InterruptedException {
            String session = jobId + "/" + study.studyInstanceUid();
            List<InstanceMatch> listed;
            try {
                listed = withRetries(() -> connection.listInstances(study), "listing");
            } catch (PacsException e) {
                if (!e.retryable()) {
                    throw new Fatal("cannot list study " + study.studyInstanceUid() + " on " + node.name() + ": " + e.getMessage());
                }
                long count = study.announcedInstances() == null ? 1 : Math.max(1, study.announcedInstances());
                deadLetter(null, PacsException.QUERY_FAILED, "backfill " + jobId + ": study " + study.studyInstanceUid() + " on " + node.name()
                        + " could not be listed after " + settings.retries() + " retries: " + e.getMessage());
                return new BackfillTally(0, 0, 0, 0, Map.of(), count, Map.of(PacsException.QUERY_FAILED, count), 0, 1);
            }
            synchronized (this) {
                expectedInstances[index] = listed.size();
            }
            List<InstanceMatch> wanted = listed.stream().filter(i -> !ledger.contains(i.sopInstanceUid())).toList();
            Counter counter = new Counter();
            counter.skipped = listed.size() - wanted.size();
            if (!listed.isEmpty()) {
                studies.expect(study.studyInstanceUid(), listed.size(), session);
            }
            boolean complete = false;
            try {
                Map<String, List<InstanceMatch>> bySeries = new LinkedHashMap<>();
                wanted.forEach(i -> bySeries.computeIfAbsent(i.seriesInstanceUid(), s -> new ArrayList<>()).add(i));
                for (List<InstanceMatch> series : bySeries.values()) {
                    for (int from = 0; from < series.size(); from += settings.batchInstances()) {
                        if (stop != null || cancelled.getAsBoolean()) {
                            return null;
                        }
                        List<InstanceMatch> batch = series.subList(from, Math.min(series.size(), from + settings.batchInstances()));
                        retrieve(connection, new Retrieval(jobId, session, batch), counter);
                    }
                }
                complete = true;
                return counter.tally();
            } finally {
                if (!listed.isEmpty()) {
                    studies.sessionEnded(session, complete, clock.instant());
                }
            }
        }

        private void retrieve(PacsConnection connection, Retrieval retrieval, Counter counter) throws Fatal, InterruptedException {
            Map<String, InstanceOutcome> outcomes = new LinkedHashMap<>();
            List<InstanceMatch> pending = retrieval.instances();
            Duration wait = settings.backoff();
            for (int attempt = 0; ; attempt++) {
                if (throttle.acquire(pending.size())) {
                    throttleWaits.incrementAndGet();
                }
                requests.incrementAndGet();
                Map<String, InstanceOutcome> got;
                try {
                    got = connection.retrieve(new Retrieval(jobId, retrieval.session(), pending));
                } catch (PacsException e) {
                    if (!e.retryable()) {
                        throw new Fatal(node.name() + " refused the retrieval: " + e.getMessage() + " (" + e.reasonCode() + ")");
                    }
                    connection.close(); // a fresh association next time
                    got = new LinkedHashMap<>();
                    for (InstanceMatch i : pending) {
                        got.put(i.sopInstanceUid(), new InstanceOutcome.Missing(e.reasonCode(), e.getMessage()));
                    }
                }
                outcomes.putAll(got);
                noteDelivery(got);
                Map<String, InstanceOutcome> delivered = got;
                List<InstanceMatch> again = pending.stream().filter(i -> retryable(delivered.get(i.sopInstanceUid()))).toList();
                if (again.isEmpty() || attempt >= settings.retries() || stop != null) {
                    break;
                }
                sleeper.sleep(wait);
                wait = wait.multipliedBy(2);
                pending = again;
            }
            for (InstanceMatch i : retrieval.instances()) {
                InstanceOutcome o = outcomes.get(i.sopInstanceUid());
                if (o instanceof InstanceOutcome.Received received && received.result() instanceof IngestResult.Refused refused) {
                    throw new Fatal(String.format("instance %s could not be made durable here after %d retries: %s (%s); run the backfill again "
                            + "to resume", i.sopInstanceUid(), settings.retries(), refused.refusal(), refused.detail()));
                }
                counter.add(i, o);
                if (o instanceof InstanceOutcome.Missing missing) {
                    deadLetter(i.sopInstanceUid(), missing.reasonCode(), String.format("backfill %s: instance %s of study %s on %s not retrieved "
                            + "after %d retries: %s", jobId, i.sopInstanceUid(), i.studyInstanceUid(), node.name(), settings.retries(), missing.detail()));
                }
            }
            synchronized (this) {
                for (InstanceMatch i : retrieval.instances()) {
                    if (outcomes.get(i.sopInstanceUid()) instanceof InstanceOutcome.Received r) {
                        retrievedInstances++;
                        retrievedBytes += r.bytes();
                    }
                }
            }
            progress(false, -1);
        }

        /** A retrieval that delivered nothing at all counts toward stopping; one that delivered anything resets the count. */
        private void noteDelivery(Map<String, InstanceOutcome> got) throws Fatal {
            boolean any = got.values().stream().anyMatch(o -> o instanceof InstanceOutcome.Received);
            if (any) {
                consecutiveEmpty.set(0);
                return;
            }
            got.values().stream().findFirst().ifPresent(o -> lastEmptyReason = o instanceof InstanceOutcome.Missing m
                    ? m.reasonCode() + ": " + m.detail() : String.valueOf(o));
            if (consecutiveEmpty.incrementAndGet() >= settings.maxConsecutiveEmpty()) {
                throw new Fatal(node.name() + " delivered nothing for " + settings.maxConsecutiveEmpty() + " retrievals in a row (last: "
                        + lastEmptyReason + "); check that the PACS knows our AE title as a move destination and that it holds the instances");
            }
        }

        private boolean retryable(InstanceOutcome o) {
            return o instanceof InstanceOutcome.Missing || o instanceof InstanceOutcome.Received r && r.result() instanceof IngestResult.Refused;
        }

        private void deadLetter(String sop, String reason, String detail) throws Fatal {
            DeadLetter.Builder letter = deadLetters.forSource(node.retrieve() == PacsNode.RetrieveMethod.WADO_RS ? "HTTP" : "DICOM_ASSOCIATION",
                    reason, detail).setSourceKey(jobId).setSourceUri(node.sourceUri()).setSopInstanceUid(sop);
            if (node.retrieve() != PacsNode.RetrieveMethod.WADO_RS) {
                letter.setCallingAeTitle(node.aeTitle());
            }
            try {
                deadLetterSink.deadLetter(letter.build());
            } catch (Exception e) {
                throw new Fatal("the dead letter for a failed retrieval could not be written (" + e.getMessage() + "); run the backfill again "
                        + "to resume");
            }
        }

        private <T> T withRetries(PacsCall<T> call, String what) throws PacsException, InterruptedException {
            Duration wait = settings.backoff();
            for (int attempt = 0; ; attempt++) {
                try {
                    return call.call();
                } catch (PacsException e) {
                    if (!e.retryable() || attempt >= settings.retries()) {
                        throw e;
                    }
                }
                sleeper.sleep(wait);
                wait = wait.multipliedBy(2);
            }
        }

        private void finished(int index, BackfillTally tally, int studiesTotal) {
            boolean moved;
            synchronized (this) {
                done[index] = true;
                perStudy[index] = tally;
                thisRun = thisRun.plus(tally);
                int before = watermark;
                while (watermark < done.length && done[watermark]) {
                    watermarkTally = watermarkTally.plus(perStudy[watermark]);
                    watermark++;
                }
                moved = watermark != before;
            }
            progress(moved, studiesTotal);
        }

        private volatile long studiesTotalSeen;

        private void progress(boolean cursorMoved, long studiesTotal) {
            if (studiesTotal >= 0) {
                studiesTotalSeen = studiesTotal;
            }
            listener.onProgress(snapshot(cursorMoved));
        }

        private synchronized Progress snapshot(boolean cursorMoved) {
            BackfillTally total = total();
            long estimate = total.processed();
            for (int i = 0; i < order.size(); i++) {
                if (!done[i]) {
                    estimate += expectedInstances[i];
                }
            }
            double seconds = Duration.between(started, clock.instant()).toNanos() / 1e9;
            Double rate = retrievedInstances > 0 && seconds > 0 ? retrievedInstances / seconds : null;
            Double bytesRate = retrievedInstances > 0 && seconds > 0 ? retrievedBytes / seconds : null;
            Double eta = rate == null ? null : Math.max(0, estimate - total.processed()) / rate;
            String cursor = watermark == 0 ? (resumedFrom == null ? null : resumedFrom.encode())
                    : new BackfillCursor(order.get(watermark - 1).sortKey(), watermarkTally).encode();
            return new Progress(studiesTotalSeen, estimate, total, rate, bytesRate, eta, cursor, cursorMoved);
        }

        /** The resumed run's counts, this run's finished studies. */
        private synchronized BackfillTally total() {
            BackfillTally resumed = resumedFrom == null ? BackfillTally.NONE : resumedFrom.tally();
            return resumed.plus(thisRun);
        }

        private Summary end(Stop stop) {
            String message = stop.message() != null ? stop.message() : total().line();
            return new Summary(snapshot(false), stop.ending(), message, requests.get(), throttleWaits.get());
        }

        private void stop(Stop s) {
            synchronized (this) {
                if (stop == null) {
                    stop = s;
                }
            }
        }

        private PacsConnection connect() {
            PacsConnection c = connections.connect();
            synchronized (open) {
                open.add(c);
            }
            return c;
        }

        void closeAll() {
            synchronized (open) {
                open.forEach(PacsConnection::close);
                open.clear();
            }
        }
    }

    @FunctionalInterface
    private interface PacsCall<T> {
        T call() throws PacsException, InterruptedException;
    }

    /** Counts one study's instances as their outcomes come. */
    private static final class Counter {
        long ingested;
        long clips;
        long skipped;
        long rejected;
        long failed;
        long bytes;
        final Map<String, Long> rejectedByReason = new TreeMap<>();
        final Map<String, Long> failedByReason = new TreeMap<>();

        void add(InstanceMatch instance, InstanceOutcome outcome) {
            if (outcome instanceof InstanceOutcome.Missing missing) {
                failed++;
                failedByReason.merge(missing.reasonCode(), 1L, Long::sum);
                return;
            }
            InstanceOutcome.Received received = (InstanceOutcome.Received) outcome;
            bytes += received.bytes();
            IngestResult result = received.result();
            if (result instanceof IngestResult.AlreadyIngested) {
                skipped++;
                return;
            }
            if (result instanceof IngestResult.Declined declined) {
                rejected++;
                rejectedByReason.merge(declined.reasonCode(), 1L, Long::sum);
                return;
            }
            ProcessedInstance p = result instanceof IngestResult.Published published ? published.instance()
                    : ((IngestResult.RejectedEarly) result).instance();
            if (p.verdict().verdict() == Verdict.REJECTED) {
                rejected++;
                rejectedByReason.merge(p.verdict().reasonCode(), 1L, Long::sum);
            } else {
                ingested++;
                if (p.verdict().verdict() == Verdict.CLIPS) {
                    clips++;
                }
            }
        }

        BackfillTally tally() {
            return new BackfillTally(ingested, clips, skipped, rejected, new HashMap<>(rejectedByReason), failed, new HashMap<>(failedByReason),
                    bytes, 1);
        }
    }
}
