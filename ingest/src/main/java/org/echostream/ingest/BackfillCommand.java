package org.echostream.ingest;

import jakarta.inject.Singleton;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.ingest.kafka.BackfillJobRunner;
import org.echostream.ingest.kafka.InstanceLedgerLoader;
import org.echostream.ingest.kafka.JobStatusPublisher;
import org.echostream.ingest.kafka.KafkaInstancePublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.kafka.StudyStatusFollower;
import org.echostream.ingest.pacs.Backfill;
import org.echostream.ingest.pacs.MoveRegistry;
import org.echostream.ingest.pacs.PacsConnections;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.ingest.pipeline.InstancePublisher;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.dicom.net.DicomScp;
import org.echostream.ingest.scp.CallerPolicy;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.IngestContexts;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.ScpSettings;

/**
 * {@code backfill --node NAME ...}: a BACKFILL job from the command line, the same {@link BackfillJobRunner} an API
 * job runs in the service, with its status on the job-status topic (so an interrupted run resumes when started
 * again with the same --job-id), a progress line on stderr and the summary on stdout. A C-MOVE node needs our SCP
 * to receive the instances: this command opens it on echostream.scp.port for its duration.
 */
@Singleton
class BackfillCommand {

    private static final DateTimeFormatter JOB_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Duration LINE_EVERY = Duration.ofSeconds(5);

    private final Ingestor ingestor;
    private final KafkaSettings kafka;
    private final IngestConfig config;
    private final Clock clock;
    private final Map<String, PacsNode> nodes;
    private final PacsConnections connections;
    private final MoveRegistry moves;
    private final KafkaInstancePublisher publisher;

    BackfillCommand(Ingestor ingestor, KafkaSettings kafka, IngestConfig config, Clock clock, Map<String, PacsNode> nodes,
                    PacsConnections connections, MoveRegistry moves, KafkaInstancePublisher publisher) {
        this.ingestor = ingestor;
        this.kafka = kafka;
        this.config = config;
        this.clock = clock;
        this.nodes = nodes;
        this.connections = connections;
        this.moves = moves;
        this.publisher = publisher;
    }

    int run(List<String> args) {
        String jobId = "cli-backfill-" + JOB_ID.format(clock.instant());
        Map<String, String> parameters = new LinkedHashMap<>();
        List<String> patients = new ArrayList<>();
        List<String> accessions = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-h") || a.equals("--help")) {
                usage();
                return 0;
            }
            if (i + 1 >= args.size()) {
                System.err.println("backfill: " + a + (a.startsWith("--") ? " needs a value" : " is not an option"));
                usage();
                return 2;
            }
            String value = args.get(++i);
            switch (a) {
                case "--node" -> parameters.put(BackfillParameters.NODE, value);
                case "--from" -> parameters.put(BackfillParameters.STUDY_DATE_FROM, value);
                case "--to" -> parameters.put(BackfillParameters.STUDY_DATE_TO, value);
                case "--patient-id" -> patients.add(value);
                case "--accession" -> accessions.add(value);
                case "--job-id" -> jobId = value;
                default -> {
                    System.err.println("backfill: unknown option " + a);
                    usage();
                    return 2;
                }
            }
        }
        if (!patients.isEmpty()) {
            parameters.put(BackfillParameters.PATIENT_IDS, String.join(BackfillParameters.SEPARATOR, patients));
        }
        if (!accessions.isEmpty()) {
            parameters.put(BackfillParameters.ACCESSION_NUMBERS, String.join(BackfillParameters.SEPARATOR, accessions));
        }
        if (BackfillParameters.parse(parameters) instanceof BackfillParameters.Parsed.Invalid invalid) {
            System.err.println("backfill: " + invalid.reason());
            usage();
            return 2;
        }
        PrintStream err = System.err;
        var loaded = InstanceLedgerLoader.load(kafka, ingestor.ledger(), config.kafka().ledgerLoadTimeout(),
                r -> ingestor.studies().restoreInstance(r.getStudyInstanceUid(), r.getSeriesInstanceUid(), r.getSopInstanceUid(), r.getReceivedAt()));
        try (StudyStatusFollower statuses = new StudyStatusFollower(kafka, ingestor.studies(), publisher.writer())) {
            statuses.restore(config.kafka().ledgerLoadTimeout());
        }
        err.printf("backfill: %d instances already ingested (ledger: %d records)%n", ingestor.ledger().size(), loaded.records());
        PacsNode node = nodes.get(parameters.get(BackfillParameters.NODE));
        DicomScp scp = null;
        try (JobStatusPublisher status = new JobStatusPublisher(kafka, clock)) {
            if (node != null && node.retrieve() == PacsNode.RetrieveMethod.C_MOVE) {
                IngestConfig.Scp c = config.scp();
                scp = new DicomScp(new ScpSettings(c.aeTitle(), c.bindAddress(), c.port(), new HashSet<>(CallerPolicy.allowList(c.bindAddress(), c.allowedCallingAeTitles(), c.acceptAnyCallingAe())),
                        c.maxAssociations(), c.maxPduLength(), c.idleTimeout(), config.ingest().maxFileBytes(), c.limits(),
                        IngestContexts.STORAGE_CLASSES, IngestContexts.TRANSFER_SYNTAXES),
                        new IngestingStoreHandler(ingestor, clock, config.ingest().maxFileBytes(), moves), ScpListener.NONE).start();
                err.printf("backfill: C-MOVE destination %s listening on %s:%d%n", c.aeTitle(), c.bindAddress(), scp.port());
            }
            IngestConfig.Pacs p = config.pacs();
            BackfillJobRunner runner = new BackfillJobRunner(nodes, connections, ingestor, status, kafka,
                    new Backfill.Settings(p.batchInstances(), p.retries(), p.retryBackoff(), p.maxConsecutiveEmpty()), config.jobs().statusInterval(),
                    scp != null, clock);
            ProgressLine line = new ProgressLine(err);
            Backfill.Summary summary = runner.run(new JobCommand(jobId, BackfillParameters.KIND, List.of(), parameters, "cli", clock.instant()),
                    () -> false, line::update);
            finishStatuses();
            if (summary == null) {
                err.println("backfill " + jobId + ": not run (see the message above, or the job already ended: give a new --job-id)");
                return 1;
            }
            err.println(BackfillJobRunner.progressLine(summary.progress()));
            printSummary(jobId, summary);
            return summary.ending() == Backfill.Ending.SUCCEEDED ? 0 : 1;
        } catch (java.io.IOException e) {
            err.println("backfill: cannot open our SCP for the C-MOVE (echostream.scp.port " + config.scp().port() + "): " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("backfill: interrupted; run it again with --job-id " + jobId + " to resume");
            return 130;
        } finally {
            if (scp != null) {
                scp.close();
            }
        }
    }

    /** Publishes the study statuses due now (studies whose announced count was reached are final already). */
    private void finishStatuses() {
        try {
            ingestor.studies().tick(clock.instant(), publisher::publishStatuses);
        } catch (InstancePublisher.PublishException e) {
            System.err.println("backfill: study statuses not published (" + e.getMessage() + "); the service publishes them when it runs");
        }
    }

    private static void printSummary(String jobId, Backfill.Summary summary) {
        var t = summary.progress().tally();
        PrintStream out = System.out;
        out.printf("backfill %s: %s%n", jobId, summary.ending());
        out.printf("  studies     %d of %d%n", t.studiesDone(), summary.progress().studiesTotal());
        out.printf("  ingested    %d (%d cut into clips)%n", t.ingested(), t.clips());
        out.printf("  skipped     %d (already ingested)%n", t.skipped());
        out.printf("  rejected    %d%n", t.rejected());
        t.rejectedByReason().forEach((reason, n) -> out.printf("    rejected    %-28s %d%n", reason, n));
        out.printf("  failed      %d%n", t.failed());
        t.failedByReason().forEach((reason, n) -> out.printf("    failed      %-28s %d%n", reason, n));
        out.printf("  MB          %.1f%n", t.bytes() / 1e6);
        out.printf("  requests    %d (%d waited for the instances/s limit)%n", summary.requests(), summary.throttleWaits());
        if (summary.message() != null) {
            out.printf("  %s%n", summary.message());
        }
        out.flush();
    }

    private static void usage() {
        System.err.println("usage: bin/echostream backfill --node NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--patient-id ID]... "
                + "[--accession NUMBER]... [--job-id ID]\n"
                + "  pulls the ultrasound studies matching the query from a PACS node configured in echostream.pacs.nodes.NAME\n"
                + "  (see docs/pacs.md). Instances already ingested are skipped; run it again with the same --job-id to resume.\n"
                + "  A date range or at least one patient ID or accession number is required.");
    }

    /** A progress line on stderr every few seconds (studies, instances, MB, rate, ETA). */
    private final class ProgressLine {
        private final PrintStream err;
        private Instant last;

        ProgressLine(PrintStream err) {
            this.err = err;
        }

        synchronized void update(Backfill.Progress p) {
            Instant now = clock.instant();
            if (last == null || Duration.between(last, now).compareTo(LINE_EVERY) >= 0) {
                last = now;
                err.println(BackfillJobRunner.progressLine(p));
            }
        }
    }
}
