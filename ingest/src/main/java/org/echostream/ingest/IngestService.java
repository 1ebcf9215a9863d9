package org.echostream.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.ingest.kafka.BackfillJobRunner;
import org.echostream.ingest.kafka.ImportJobRunner;
import org.echostream.ingest.kafka.InstanceLedgerLoader;
import org.echostream.ingest.kafka.JobCommandConsumer;
import org.echostream.ingest.kafka.JobStatusPublisher;
import org.echostream.ingest.kafka.KafkaInstancePublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.kafka.StudyStatusFollower;
import org.echostream.ingest.pacs.Backfill;
import org.echostream.ingest.pacs.MoveRegistry;
import org.echostream.ingest.pacs.PacsConnections;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.ingest.pipeline.FolderImport;
import org.echostream.ingest.pipeline.InstancePublisher;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.Throttle;
import org.echostream.dicom.net.DicomScp;
import org.echostream.dicom.net.DicomTls;
import org.echostream.ingest.scp.CallerPolicy;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.IngestContexts;
import org.echostream.dicom.net.ScpSettings;
import org.jboss.logging.Logger;

/**
 * The service's life: at start, removes spool files a crash left incomplete, loads the instances ledger and the
 * studies' completeness, then opens the DICOM SCP, the batch-job consumer (folder imports, PACS backfills) and
 * the completeness clock; at shutdown closes them. Nothing of this runs when the application was started for a
 * command ({@code ingest}, {@code inspect}, {@code backfill}).
 */
@Singleton
class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final IngestConfig config;
    private final Ingestor ingestor;
    private final KafkaSettings kafka;
    private final IngestMetrics metrics;
    private final Clock clock;
    private final MoveRegistry moves;
    private final PacsConnections connections;
    private final Map<String, PacsNode> nodes;
    private final KafkaInstancePublisher publisher;
    private volatile boolean ledgerLoaded;
    private DicomScp scp;
    private DicomScp tlsScp;
    private JobStatusPublisher jobStatus;
    private JobCommandConsumer jobs;
    private StudyStatusFollower statusFollower;
    private ScheduledExecutorService completenessClock;

    IngestService(IngestConfig config, Ingestor ingestor, KafkaSettings kafka, IngestMetrics metrics, Clock clock, MeterRegistry registry,
                  MoveRegistry moves, PacsConnections connections, Map<String, PacsNode> nodes, KafkaInstancePublisher publisher) {
        this.config = config;
        this.ingestor = ingestor;
        this.kafka = kafka;
        this.metrics = metrics;
        this.clock = clock;
        this.moves = moves;
        this.connections = connections;
        this.nodes = nodes;
        this.publisher = publisher;
        Gauge.builder("echostream.ingest.ledger.instances", ingestor.ledger(), l -> l.size())
                .description("SOP Instance UIDs known as ingested").register(registry);
        Gauge.builder("echostream.ingest.spool.free.bytes", ingestor.spool(), IngestService::freeBytes)
                .description("Free bytes on the spool's disk").register(registry);
        Gauge.builder("echostream.ingest.scp.associations.active", this, s -> s.scp == null ? 0 : s.scp.activeAssociations())
                .description("DICOM associations being served").register(registry);
        Gauge.builder("echostream.ingest.scp.associations.peak", this, s -> s.scp == null ? 0 : s.scp.peakAssociations())
                .description("Most DICOM associations served at once since the start").register(registry);
        Gauge.builder("echostream.ingest.studies.provisional", ingestor.studies(), s -> s.provisionalStudies())
                .description("Studies still PROVISIONAL (instances may still arrive)").register(registry);
        Gauge.builder("echostream.ingest.backfill.awaited.instances", moves, MoveRegistry::awaited)
                .description("Instances a backfill C-MOVE is waiting for").register(registry);
    }

    /** After the topic catalogue step (default observer priority), so every topic exists. */
    void onStart(@Observes @Priority(3000) StartupEvent event) throws IOException {
        if (config.command().isPresent()) {
            return;
        }
        int removed = ingestor.spool().removeIncomplete();
        if (removed > 0) {
            LOG.warnf("spool: removed %d incomplete file(s) left by a stopped run (never acknowledged)", removed);
        }
        var loaded = InstanceLedgerLoader.load(kafka, ingestor.ledger(), config.kafka().ledgerLoadTimeout(),
                r -> ingestor.studies().restoreInstance(r.getStudyInstanceUid(), r.getSeriesInstanceUid(), r.getSopInstanceUid(), r.getReceivedAt()));
        statusFollower = new StudyStatusFollower(kafka, ingestor.studies(), publisher.writer());
        long statuses = statusFollower.restore(config.kafka().ledgerLoadTimeout());
        ledgerLoaded = true;
        LOG.infof("ledger: %d instances already ingested (%d records read, %d unreadable); %d study statuses read, %d studies provisional",
                ingestor.ledger().size(), loaded.records(), loaded.unreadable(), statuses, ingestor.studies().provisionalStudies());
        statusFollower.follow();
        startCompletenessClock();
        if (config.scp().enabled()) {
            IngestConfig.Scp c = config.scp();
            ScpSettings settings = new ScpSettings(c.aeTitle(), c.bindAddress(), c.port(), new HashSet<>(CallerPolicy.allowList(c.bindAddress(), c.allowedCallingAeTitles(), c.acceptAnyCallingAe())),
                    c.maxAssociations(), c.maxPduLength(), c.idleTimeout(), config.ingest().maxFileBytes(), c.limits(),
                    IngestContexts.STORAGE_CLASSES, IngestContexts.TRANSFER_SYNTAXES);
            IngestingStoreHandler handler = new IngestingStoreHandler(ingestor, clock, config.ingest().maxFileBytes(), moves);
            scp = new DicomScp(settings, handler, metrics).start();
            LOG.infof("DICOM SCP %s listening on %s:%d", c.aeTitle(), c.bindAddress(), scp.port());
            if (c.tls().enabled()) {
                ScpSettings tls = new ScpSettings(settings.aeTitle(), settings.bindAddress(), c.tls().port(), settings.allowedCallingAeTitles(),
                        settings.maxAssociations(), settings.maxPduLength(), settings.idleTimeout(), settings.maxInstanceBytes(), settings.limits(),
                        settings.storageClasses(), settings.transferSyntaxes());
                tlsScp = new DicomScp(tls, DicomTls.of(c.tls().settings()), handler, metrics).start();
                LOG.infof("DICOM TLS SCP %s listening on %s:%d (%s, client certificates %s)", c.aeTitle(), c.bindAddress(), tlsScp.port(),
                        c.tls().protocols(), c.tls().clientAuthentication());
            }
        }
        if (!nodes.isEmpty()) {
            LOG.infof("PACS nodes for backfill: %s", nodes.values().stream().map(n -> n.name() + " (" + n.retrieve() + ")").toList());
        }
        if (config.jobs().enabled()) {
            jobStatus = new JobStatusPublisher(kafka, clock);
            IngestConfig.Ingest c = config.ingest();
            FolderImport folderImport = new FolderImport(ingestor, clock, new Throttle(c.importFilesPerSecond(), clock, Throttle.THREAD_SLEEP),
                    new FolderImport.RetryPolicy(c.importRetries(), c.importRetryBackoff()), Throttle.THREAD_SLEEP);
            ImportJobRunner imports = new ImportJobRunner(folderImport, jobStatus,
                    config.jobs().allowedRoots().stream().map(Path::of).toList(), config.jobs().statusInterval(), ingestor.studies());
            IngestConfig.Pacs p = config.pacs();
            BackfillJobRunner backfills = new BackfillJobRunner(nodes, connections, ingestor, jobStatus, kafka,
                    new Backfill.Settings(p.batchInstances(), p.retries(), p.retryBackoff(), p.maxConsecutiveEmpty()), config.jobs().statusInterval(),
                    scp != null, clock);
            jobs = new JobCommandConsumer(kafka, config.jobs().groupId(), jobStatus, (command, cancelled) -> run(command, cancelled, imports, backfills));
            jobs.start();
        }
    }

    private static void run(JobCommand command, java.util.function.BooleanSupplier cancelled, ImportJobRunner imports, BackfillJobRunner backfills)
            throws InterruptedException {
        if (BackfillParameters.KIND.equals(command.getKind())) {
            backfills.run(command, cancelled);
        } else {
            imports.run(command, cancelled);
        }
    }

    /** Finalises due studies and publishes changed statuses every check interval; a refused publish is tried again at the next tick. */
    private void startCompletenessClock() {
        completenessClock = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-completeness");
            t.setDaemon(true);
            return t;
        });
        long every = config.completeness().checkInterval().toMillis();
        completenessClock.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            int published = ingestor.studies().tick(clock.instant(), statuses -> ingestor.publisher().publishStatuses(statuses));
            if (published > 0) {
                LOG.debugf("completeness: %d study status(es) published", published);
            }
        } catch (InstancePublisher.PublishException e) {
            LOG.warnf("completeness: study statuses not published, tried again in %s: %s", config.completeness().checkInterval(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf("completeness: check failed: %s", e.toString());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scp != null) {
            scp.close();
        }
        if (tlsScp != null) {
            tlsScp.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (completenessClock != null) {
            completenessClock.shutdownNow();
        }
        if (statusFollower != null) {
            statusFollower.close();
        }
        if (jobStatus != null) {
            jobStatus.close();
        }
    }

    boolean ledgerLoaded() {
        return ledgerLoaded;
    }

    DicomScp scp() {
        return scp;
    }

    /** The DICOM TLS port's SCP, or null when TLS is off. */
    DicomScp tlsScp() {
        return tlsScp;
    }

    JobCommandConsumer jobs() {
        return jobs;
    }

    StudyStatusFollower statusFollower() {
        return statusFollower;
    }

    private static double freeBytes(Spool spool) {
        try {
            return spool.freeBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
