package org.echostream.ingest.kafka;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobState;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.echostream.ingest.pipeline.FolderImport;
import org.echostream.ingest.pipeline.ImportProgress;
import org.echostream.ingest.pipeline.Provenance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one batch job from the API: IMPORT_FOLDER runs the folder import over the job's paths, which
 * must lie under one of the allowed import roots, and reports RUNNING with counts, rate and ETA every
 * status interval, then the final state and summary.
 */
public final class ImportJobRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ImportJobRunner.class);
    public static final String IMPORT_FOLDER = "IMPORT_FOLDER";

    private final FolderImport folderImport;
    private final JobStatusPublisher status;
    private final List<Path> allowedRoots;
    private final Duration statusInterval;
    private final StudyCompleteness studies;

    /** @param studies told when an import ended: its studies may then become final after the quiet window */
    public ImportJobRunner(FolderImport folderImport, JobStatusPublisher status, List<Path> allowedRoots, Duration statusInterval,
                           StudyCompleteness studies) {
        this.folderImport = folderImport;
        this.status = status;
        this.allowedRoots = allowedRoots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.statusInterval = statusInterval;
        this.studies = studies;
    }

    public FolderImport.Summary run(JobCommand command, BooleanSupplier cancelled) throws InterruptedException {
        String jobId = command.getJobId();
        Instant started = status.now();
        if (!IMPORT_FOLDER.equals(command.getKind())) {
            status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobState.FAILED, null,
                    "job kind " + command.getKind() + " is not carried out by ingest (only " + IMPORT_FOLDER + " and BACKFILL)", started,
                    status.now()));
            return null;
        }
        List<Path> paths = new ArrayList<>();
        for (String p : command.getPaths()) {
            Path path = Path.of(p).toAbsolutePath().normalize();
            if (allowedRoots.stream().noneMatch(path::startsWith)) {
                status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobState.FAILED, null,
                        "path " + p + " is outside the allowed import roots " + allowedRoots, started, status.now()));
                return null;
            }
            paths.add(path);
        }
        if (paths.isEmpty()) {
            status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobState.FAILED, null, "the job names no path", started, status.now()));
            return null;
        }
        LOG.info("job {}: importing {} path(s)", jobId, paths.size());
        status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobState.RUNNING, null, null, started, started));
        Instant[] lastSent = {started};
        FolderImport.Summary summary = folderImport.run(paths, Provenance.file(jobId, started), progress -> {
            Instant now = status.now();
            if (Duration.between(lastSent[0], now).compareTo(statusInterval) >= 0) {
                lastSent[0] = now;
                status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobState.RUNNING, progress, null, started, now));
            }
        }, cancelled);
        studies.sessionEnded(jobId, summary.ending() == FolderImport.Ending.SUCCEEDED, status.now());
        ImportProgress last = summary.progress();
        status.publish(JobStatusPublisher.status(jobId, command.getKind(), JobStatusPublisher.stateOf(summary.ending()), last,
                summary.message() != null ? summary.message() : summaryLine(last), started, status.now()));
        LOG.info("job {}: {} ({})", jobId, summary.ending(), summary.message() != null ? summary.message() : summaryLine(last));
        return summary;
    }

    /** One line: ingested, skipped, rejected by reason. */
    public static String summaryLine(ImportProgress p) {
        return String.format("%d files: %d ingested (%d with clips, %d not scored %s), %d skipped as already ingested, %d rejected %s",
                p.processed(), p.ingested(), p.clips(), p.notScored(), p.notScoredByReason(), p.skipped(), p.rejected(), p.rejectedByReason());
    }
}
