package org.echostream.ingest;

import jakarta.inject.Singleton;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.JobState;
import org.echostream.ingest.kafka.ImportJobRunner;
import org.echostream.ingest.kafka.InstanceLedgerLoader;
import org.echostream.ingest.kafka.JobStatusPublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.pipeline.FolderImport;
import org.echostream.ingest.pipeline.ImportProgress;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.pipeline.Throttle;

/**
 * {@code ingest PATH...}: the folder import from the command line. Loads the ledger (already ingested
 * instances are skipped, so an interrupted import resumes), draws a progress bar with files/s and ETA on
 * stderr, publishes the job's status like an API job, and prints the summary on stdout.
 */
@Singleton
class ImportCommand {

    private static final DateTimeFormatter JOB_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration REDRAW = Duration.ofMillis(250);
    private static final Duration PLAIN_LINE = Duration.ofSeconds(5);

    private final Ingestor ingestor;
    private final KafkaSettings kafka;
    private final IngestConfig config;
    private final Clock clock;

    ImportCommand(Ingestor ingestor, KafkaSettings kafka, IngestConfig config, Clock clock) {
        this.ingestor = ingestor;
        this.kafka = kafka;
        this.config = config;
        this.clock = clock;
    }

    int run(List<String> args) {
        double rate = config.ingest().importFilesPerSecond();
        String jobId = "cli-" + JOB_ID.format(clock.instant());
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean hasValue = i + 1 < args.size();
            switch (a) {
                case "-h", "--help" -> {
                    usage();
                    return 0;
                }
                case "--rate", "--job-id" -> {
                    if (!hasValue) {
                        System.err.println("ingest: " + a + " needs a value");
                        usage();
                        return 2;
                    }
                    String value = args.get(++i);
                    if (a.equals("--job-id")) {
                        jobId = value;
                    } else {
                        try {
                            rate = Double.parseDouble(value);
                        } catch (NumberFormatException e) {
                            System.err.println("ingest: --rate wants files per second, got '" + value + "'");
                            return 2;
                        }
                    }
                }
                default -> paths.add(Path.of(a));
            }
        }
        if (paths.isEmpty()) {
            usage();
            return 2;
        }
        PrintStream err = System.err;
        var loaded = InstanceLedgerLoader.load(kafka, ingestor.ledger(), config.kafka().ledgerLoadTimeout());
        err.printf("ingest: %d instances already ingested (ledger: %d records)%n", ingestor.ledger().size(), loaded.records());
        try (JobStatusPublisher status = new JobStatusPublisher(kafka, clock)) {
            Instant started = clock.instant();
            FolderImport folderImport = new FolderImport(ingestor, clock, new Throttle(rate, clock, Throttle.THREAD_SLEEP),
                    new FolderImport.RetryPolicy(config.ingest().importRetries(), config.ingest().importRetryBackoff()), Throttle.THREAD_SLEEP);
            ProgressBar bar = new ProgressBar(err, System.console() != null);
            String id = jobId;
            status.publish(JobStatusPublisher.status(id, ImportJobRunner.IMPORT_FOLDER, JobState.RUNNING, null, null, started, started));
            FolderImport.Summary summary = folderImport.run(paths, Provenance.file(jobId, started), bar::update, () -> false);
            bar.finish(summary.progress());
            String line = summary.message() != null ? summary.message() : ImportJobRunner.summaryLine(summary.progress());
            status.publish(JobStatusPublisher.status(id, ImportJobRunner.IMPORT_FOLDER, JobStatusPublisher.stateOf(summary.ending()),
                    summary.progress(), line, started, clock.instant()));
            printSummary(summary, jobId);
            return summary.ending() == FolderImport.Ending.SUCCEEDED ? 0 : 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("ingest: interrupted; run it again to resume");
            return 130;
        }
    }

    private static void printSummary(FolderImport.Summary summary, String jobId) {
        ImportProgress p = summary.progress();
        PrintStream out = System.out;
        out.printf("import %s: %s%n", jobId, summary.ending());
        out.printf("  files       %d%n", p.processed());
        out.printf("  ingested    %d (%d cut into clips, %d not scored)%n", p.ingested(), p.clips(), p.notScored());
        p.notScoredByReason().forEach((reason, n) -> out.printf("    not scored  %-28s %d%n", reason, n));
        out.printf("  skipped     %d (already ingested)%n", p.skipped());
        out.printf("  rejected    %d%n", p.rejected());
        p.rejectedByReason().forEach((reason, n) -> out.printf("    rejected    %-28s %d%n", reason, n));
        if (summary.message() != null) {
            out.printf("  %s%n", summary.message());
        }
        out.flush();
    }

    private static void usage() {
        System.err.println("usage: bin/echostream ingest [--rate FILES_PER_S] [--job-id ID] PATH...\n"
                + "  imports DICOM files (folders walked, any file names; ZIP, tar and tar.gz archives unpacked) through the ingest pipeline into Kafka.\n"
                + "  Instances already ingested are skipped, so an interrupted import resumes where it stopped.\n"
                + "  --rate   at most this many files per second (default echostream.ingest.import-files-per-second; 0: no limit)\n"
                + "  --job-id the job id its status is published under (default cli-<time>)");
    }

    /** A one-line progress bar redrawn in place on a terminal, or a plain line every few seconds in a log. */
    private static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintStream err;
        private final boolean terminal;
        private long last;

        ProgressBar(PrintStream err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void update(ImportProgress p) {
            long now = System.nanoTime();
            Duration every = terminal ? REDRAW : PLAIN_LINE;
            if (p.processed() > 0 && now - last < every.toNanos()) {
                return;
            }
            last = now;
            err.print((terminal ? "\r" : "") + render(p) + (terminal ? "" : "\n"));
            err.flush();
        }

        void finish(ImportProgress p) {
            err.print((terminal ? "\r" : "") + render(p) + "\n");
            err.flush();
        }

        private static String render(ImportProgress p) {
            int filled = p.total() == 0 ? WIDTH : (int) (WIDTH * p.processed() / p.total());
            String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
            String rate = p.filesPerSecond() == null ? "-" : String.format("%.1f", p.filesPerSecond());
            String eta = p.etaSeconds() == null ? "-" : String.format("%d:%02d", (long) (p.etaSeconds() / 60), (long) (p.etaSeconds() % 60));
            return String.format("[%s] %d/%d files  %s files/s  ETA %s  ingested %d  skipped %d  rejected %d", bar, p.processed(), p.total(),
                    rate, eta, p.ingested(), p.skipped(), p.rejected());
        }
    }
}
