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
import org.echostream.ingest.kafka.ImportJobRunner;
import org.echostream.ingest.kafka.InstanceLedgerLoader;
import org.echostream.ingest.kafka.JobCommandConsumer;
import org.echostream.ingest.kafka.JobStatusPublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.pipeline.FolderImport;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.Throttle;
import org.echostream.ingest.scp.DicomScp;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.ScpSettings;
import org.jboss.logging.Logger;

/**
 * The service's life: at start, removes spool files a crash left incomplete, loads the instances ledger,
 * then opens the DICOM SCP and the batch-job consumer; at shutdown closes them. Nothing of this runs when
 * the application was started for a command ({@code ingest}, {@code inspect}).
 */
@Singleton
class IngestService {

    private static final Logger LOG = Logger.getLogger(IngestService.class);

    private final IngestConfig config;
    private final Ingestor ingestor;
    private final KafkaSettings kafka;
    private final IngestMetrics metrics;
    private final Clock clock;
    private volatile boolean ledgerLoaded;
    private DicomScp scp;
    private JobStatusPublisher jobStatus;
    private JobCommandConsumer jobs;

    IngestService(IngestConfig config, Ingestor ingestor, KafkaSettings kafka, IngestMetrics metrics, Clock clock, MeterRegistry registry) {
        this.config = config;
        this.ingestor = ingestor;
        this.kafka = kafka;
        this.metrics = metrics;
        this.clock = clock;
        Gauge.builder("echostream.ingest.ledger.instances", ingestor.ledger(), l -> l.size())
                .description("SOP Instance UIDs known as ingested").register(registry);
        Gauge.builder("echostream.ingest.spool.free.bytes", ingestor.spool(), IngestService::freeBytes)
                .description("Free bytes on the spool's disk").register(registry);
        Gauge.builder("echostream.ingest.scp.associations.active", this, s -> s.scp == null ? 0 : s.scp.activeAssociations())
                .description("DICOM associations being served").register(registry);
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
        var loaded = InstanceLedgerLoader.load(kafka, ingestor.ledger(), config.kafka().ledgerLoadTimeout());
        ledgerLoaded = true;
        LOG.infof("ledger: %d instances already ingested (%d records read, %d unreadable)", ingestor.ledger().size(), loaded.records(),
                loaded.unreadable());
        if (config.scp().enabled()) {
            IngestConfig.Scp c = config.scp();
            ScpSettings settings = new ScpSettings(c.aeTitle(), c.bindAddress(), c.port(), new HashSet<>(c.allowedCallingAeTitles().orElse(List.of())),
                    c.maxAssociations(), c.maxPduLength(), c.idleTimeout(), config.ingest().maxFileBytes());
            scp = new DicomScp(settings, new IngestingStoreHandler(ingestor, clock, config.ingest().maxFileBytes()), metrics).start();
            LOG.infof("DICOM SCP %s listening on %s:%d", c.aeTitle(), c.bindAddress(), scp.port());
        }
        if (config.jobs().enabled()) {
            jobStatus = new JobStatusPublisher(kafka, clock);
            IngestConfig.Ingest c = config.ingest();
            FolderImport folderImport = new FolderImport(ingestor, clock, new Throttle(c.importFilesPerSecond(), clock, Throttle.THREAD_SLEEP),
                    new FolderImport.RetryPolicy(c.importRetries(), c.importRetryBackoff()), Throttle.THREAD_SLEEP);
            ImportJobRunner runner = new ImportJobRunner(folderImport, jobStatus,
                    config.jobs().allowedRoots().stream().map(Path::of).toList(), config.jobs().statusInterval());
            jobs = new JobCommandConsumer(kafka, config.jobs().groupId(), jobStatus, runner::run);
            jobs.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (scp != null) {
            scp.close();
        }
        if (jobs != null) {
            jobs.close();
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

    JobCommandConsumer jobs() {
        return jobs;
    }

    private static double freeBytes(Spool spool) {
        try {
            return spool.freeBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
