package org.echostream.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.echostream.ingest.dicom.BudgetedDecoder;
import org.echostream.ingest.dicom.DicomLimits;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.ingest.kafka.KafkaInstancePublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.pacs.InstanceReceiver;
import org.echostream.ingest.pacs.MoveRegistry;
import org.echostream.ingest.pacs.PacsConnections;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.ingest.pipeline.InstanceClassifier;
import org.echostream.ingest.pipeline.InstanceLedger;
import org.echostream.ingest.pipeline.InstanceProcessor;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.ingest.prep.Prep1;
import org.echostream.ingest.prep.RegionFinder;
import org.echostream.ingest.stow.StowService;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Wires the pure core from configuration: nothing here decides anything about DICOM or clips. */
class IngestBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    DicomLimits limits(IngestConfig config) {
        IngestConfig.Ingest c = config.ingest();
        return new DicomLimits(c.maxFileBytes(), c.maxInflatedBytes(), c.maxFrames(), c.maxDecodedBytes(), c.maxFrameBytes(),
                c.maxDecodedPixelBytes(), c.maxSequenceDepth());
    }

    /** The clip shape from the model release's manifest: a missing or unreadable manifest stops the service at start. */
    @Produces
    @Singleton
    ClipShape clipShape(IngestConfig config) {
        Path manifest = Path.of(config.model().dir()).resolve("manifest.json").toAbsolutePath().normalize();
        try {
            return ClipShape.of(ModelManifest.read(manifest), config.ingest().clipStrideFrames().orElse(null));
        } catch (RuntimeException e) {
            throw new IllegalStateException("ingest cannot shape clips without the model's manifest: " + e.getMessage()
                    + "; point echostream.model.dir (ECHOSTREAM_MODEL_DIR) at the model release folder", e);
        }
    }

    @Produces
    @Singleton
    InstanceProcessor processor(DicomLimits limits, ClipShape shape, IngestConfig config, Clock clock, MeterRegistry metrics) {
        IngestConfig.Ingest c = config.ingest();
        Prep1.Settings prep = new Prep1.Settings(new RegionFinder.Settings(c.motionThreshold(), c.minSectorFraction()), c.minClips());
        if (c.decodeThreads() < c.concurrentInstances()) {
            throw new IllegalStateException("echostream.ingest.decode-threads (" + c.decodeThreads() + ") must be at least "
                    + "echostream.ingest.concurrent-instances (" + c.concurrentInstances() + ")");
        }
        BudgetedDecoder decoder = new BudgetedDecoder(new PixelMedDicomDecoder(limits), c.decodeTimeout(), c.decodeThreads());
        // decode threads in use, abandoned ones included: a value stuck above concurrent-instances means decodes that never end
        metrics.gauge("echostream.ingest.decode.threads.busy", decoder, BudgetedDecoder::running);
        return new InstanceProcessor(decoder, shape, new InstanceClassifier(c.nonCardiacTerms()), prep, clock);
    }

    @Produces
    @Singleton
    KafkaSettings kafkaSettings(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers, IngestConfig config,
                                @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        return new KafkaSettings(bootstrapServers, config.kafka().publishTimeout(), kafka);
    }

    @Produces
    @Singleton
    InstanceLedger ledger() {
        return new InstanceLedger();
    }

    @Produces
    @Singleton
    Spool spool(IngestConfig config) {
        try {
            return new Spool(Path.of(config.spool().dir()), config.spool().minFreeBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spool folder " + config.spool().dir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The service keeps one stable transactional id (a restart aborts what a crashed run left open); a command-line
     * import runs beside it with an id of its own.
     */
    @Produces
    @Singleton
    KafkaInstancePublisher publisher(KafkaSettings settings, IngestConfig config) {
        String id = config.kafka().transactionalId() + (config.command().isPresent() ? "-cli-" + UUID.randomUUID() : "");
        return new KafkaInstancePublisher(settings, id);
    }

    void closePublisher(@Disposes KafkaInstancePublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    StudyCompleteness studyCompleteness(IngestConfig config) {
        IngestConfig.Completeness c = config.completeness();
        try {
            return new StudyCompleteness(new StudyCompleteness.Rules(c.quietAfterRelease(), c.inactivity()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("echostream.completeness: " + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    Ingestor ingestor(InstanceProcessor processor, Spool spool, KafkaInstancePublisher publisher, InstanceLedger ledger, IngestConfig config,
                      IngestMetrics metrics, StudyCompleteness studies) {
        return new Ingestor(processor, spool, publisher, ledger, config.ingest().maxFileBytes(), metrics, config.ingest().concurrentInstances(),
                studies);
    }

    @Produces
    @Singleton
    MoveRegistry moveRegistry() {
        return new MoveRegistry();
    }

    @Produces
    @Singleton
    InstanceReceiver instanceReceiver(Ingestor ingestor, Clock clock, IngestConfig config) {
        return new InstanceReceiver(ingestor, clock, config.ingest().maxFileBytes());
    }

    @Produces
    @Singleton
    StowService stow(InstanceReceiver receiver, Clock clock, IngestConfig config) {
        return new StowService(receiver, clock, config.stow().maxInstances());
    }

    @Produces
    @Singleton
    PacsConnections pacsConnections(IngestConfig config, MoveRegistry moves, InstanceReceiver receiver) {
        return new PacsConnections(config.scp().aeTitle(), moves, receiver, config.pacs().connectTimeout());
    }

    /** The configured PACS nodes; a node that cannot work (no AE title for C-MOVE, an unreadable password file) stops the start. */
    @Produces
    @Singleton
    Map<String, PacsNode> pacsNodes(IngestConfig config) {
        Map<String, PacsNode> nodes = new LinkedHashMap<>();
        config.pacs().nodes().forEach((name, n) -> {
            String prefix = "echostream.pacs.nodes." + name;
            try {
                String password = n.password().orElse(null);
                if (n.passwordFile().isPresent()) {
                    password = Files.readAllLines(Path.of(n.passwordFile().get())).stream().findFirst().orElse("").strip();
                }
                PacsNode.Credentials credentials = n.username().map(u -> new PacsNode.Credentials(u, "")).orElse(null);
                if (credentials != null) {
                    credentials = new PacsNode.Credentials(credentials.username(), password == null ? "" : password);
                }
                nodes.put(name, new PacsNode(name, n.aeTitle().orElse(null), n.host().orElse(null), n.port(),
                        n.dicomwebUrl().map(URI::create).orElse(null), credentials, n.retrieve(), n.maxAssociations(), n.instancesPerSecond(),
                        n.timeout()));
            } catch (IOException e) {
                throw new IllegalStateException(prefix + ".password-file cannot be read: " + e.getMessage(), e);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(prefix + ": " + e.getMessage(), e);
            }
        });
        return Map.copyOf(nodes);
    }
}
