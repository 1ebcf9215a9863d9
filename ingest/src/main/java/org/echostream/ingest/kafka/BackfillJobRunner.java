package org.echostream.ingest.kafka;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobState;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.ingest.pacs.Backfill;
import org.echostream.ingest.pacs.BackfillCursor;
import org.echostream.ingest.pacs.PacsConnections;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Throttle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one BACKFILL job: checks its query and node, picks up where an interrupted run of the same job
 * stopped (its last status on the compacted job-status topic holds the cursor), runs the {@link Backfill}, and
 * reports RUNNING with studies, instances, MB, rate and ETA every status interval and whenever the cursor moves,
 * then the final state with the summary. Logs name the job and the node, never patient IDs.
 */
public final class BackfillJobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(BackfillJobRunner.class);

    private final Map<String, PacsNode> nodes;
    private final PacsConnections connections;
    private final Ingestor ingestor;
    private final JobStatusPublisher status;
    private final KafkaSettings kafka;
    private final Backfill.Settings settings;
    private final Duration statusInterval;
    private final boolean scpListening;
    private final Clock clock;

    /** @param scpListening whether this service's SCP is up to receive C-MOVE sub-operations */
    public BackfillJobRunner(Map<String, PacsNode> nodes, PacsConnections connections, Ingestor ingestor, JobStatusPublisher status,
                             KafkaSettings kafka, Backfill.Settings settings, Duration statusInterval, boolean scpListening, Clock clock) {
        this.nodes = Map.copyOf(nodes);
        this.connections = connections;
        this.ingestor = ingestor;
        this.status = status;
        this.kafka = kafka;
        this.settings = settings;
        this.statusInterval = statusInterval;
        this.scpListening = scpListening;
        this.clock = clock;
    }

    public Backfill.Summary run(JobCommand command, BooleanSupplier cancelled) throws InterruptedException {
        return run(command, cancelled, p -> { });
    }

    /**
     * @param watcher also told of every progress (the command line draws it)
     * @return the summary, or null when the job was refused before it started (its FAILED status says why) or had already ended
     */
    public Backfill.Summary run(JobCommand command, BooleanSupplier cancelled, Backfill.Listener watcher) throws InterruptedException {
        String jobId = command.getJobId();
        Instant started = clock.instant();
        BackfillParameters query;
        if (BackfillParameters.parse(command.getParameters()) instanceof BackfillParameters.Parsed.Valid valid) {
            query = valid.query();
        } else {
            String reason = ((BackfillParameters.Parsed.Invalid) BackfillParameters.parse(command.getParameters())).reason();
            return fail(jobId, "backfill refused: " + reason, started);
        }
        PacsNode node = nodes.get(query.node());
        if (node == null) {
            return fail(jobId, "no PACS node '" + query.node() + "' is configured in ingest (echostream.pacs.nodes); known: " + new TreeSet<>(nodes.keySet()),
                    started);
        }
        if (node.retrieve() == PacsNode.RetrieveMethod.C_MOVE && !scpListening) {
            return fail(jobId, "node " + node.name() + " retrieves by C-MOVE, which needs this service's SCP (echostream.scp.enabled)", started);
        }
        Optional<JobStatus> previous = JobStatusReader.latest(kafka, jobId, Duration.ofSeconds(60));
        if (previous.isPresent() && previous.get().getState() != JobState.RUNNING && previous.get().getState() != JobState.QUEUED) {
            LOG.info("job {}: already {}, not run again (submit a new job to repeat it)", jobId, previous.get().getState());
            return null;
        }
        BackfillCursor cursor = previous.map(JobStatus::getCursor).map(BackfillCursor::decode).orElse(null);
        Instant firstStarted = previous.map(JobStatus::getStartedAt).orElse(started);
        String resumed = cursor == null ? "" : " (resuming after " + cursor.tally().studiesDone() + " studies)";
        LOG.info("job {}: backfill of {}{}", jobId, query.describe(), resumed);
        status.publish(JobStatusPublisher.status(jobId, JobState.RUNNING, null, "querying " + node.name() + resumed, firstStarted, started));

        Throttle throttle = new Throttle(node.instancesPerSecond(), clock, Throttle.THREAD_SLEEP);
        Backfill backfill = new Backfill(node, connections.factory(node), ingestor.ledger(), ingestor.studies(), clock, throttle, settings,
                Throttle.THREAD_SLEEP, status::deadLetter);
        ProgressPublisher progress = new ProgressPublisher(jobId, firstStarted);
        Backfill.Summary summary = backfill.run(jobId, query, new Backfill.Resume(cursor), p -> {
            progress.onProgress(p);
            watcher.onProgress(p);
        }, cancelled);
        String message = summary.message() + String.format(" [%d retrieval requests, %d throttled]", summary.requests(), summary.throttleWaits());
        if (summary.ending() == Backfill.Ending.CANCELLED) {
            // The only canceller is the service stopping: the job stays RUNNING with its cursor, and its command (not
            // committed) runs again at the next start and resumes; CANCELLED would make that start skip it.
            String line = "stopped with the service after " + summary.progress().tally().studiesDone() + " studies; resumes when ingest starts again";
            status.publish(JobStatusPublisher.status(jobId, JobState.RUNNING, summary.progress(), line, firstStarted, clock.instant()));
            LOG.info("job {}: {}", jobId, line);
            return summary;
        }
        status.publish(JobStatusPublisher.status(jobId, JobStatusPublisher.stateOf(summary.ending()), summary.progress(), message, firstStarted,
                clock.instant()));
        LOG.info("job {}: {} ({})", jobId, summary.ending(), message);
        return summary;
    }

    private Backfill.Summary fail(String jobId, String message, Instant started) {
        LOG.warn("job {}: {}", jobId, message);
        status.publish(JobStatusPublisher.status(jobId, JobState.FAILED, null, message, started, clock.instant()));
        return null;
    }

    /** Publishes progress at most every status interval, and at once when the cursor moved (so a crash loses little). */
    private final class ProgressPublisher {
        private final String jobId;
        private final Instant started;
        private Instant last;

        ProgressPublisher(String jobId, Instant started) {
            this.jobId = jobId;
            this.started = started;
        }

        synchronized void onProgress(Backfill.Progress p) {
            Instant now = clock.instant();
            if (p.cursorMoved() || last == null || Duration.between(last, now).compareTo(statusInterval) >= 0) {
                last = now;
                status.publish(JobStatusPublisher.status(jobId, JobState.RUNNING, p, progressLine(p), started, now));
            }
        }
    }

    /** Studies, instances, MB, rate and ETA in one line. */
    public static String progressLine(Backfill.Progress p) {
        var t = p.tally();
        return String.format("%d/%d studies, %d/%d instances (%d skipped, %d failed), %.1f MB, %s instances/s, %s MB/s, ETA %s",
                t.studiesDone(), p.studiesTotal(), t.processed(), p.instancesTotal(), t.skipped(), t.failed(), t.bytes() / 1e6,
                p.instancesPerSecond() == null ? "-" : String.format("%.1f", p.instancesPerSecond()),
                p.bytesPerSecond() == null ? "-" : String.format("%.1f", p.bytesPerSecond() / 1e6),
                p.etaSeconds() == null ? "-" : String.format("%d:%02d", (long) (p.etaSeconds() / 60), (long) (p.etaSeconds() % 60)));
    }
}
