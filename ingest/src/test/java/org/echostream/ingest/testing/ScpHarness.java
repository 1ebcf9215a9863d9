package org.echostream.ingest.testing;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.ingest.kafka.KafkaInstancePublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.pipeline.InstanceLedger;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.prep.ClipShape;
import org.echostream.dicom.net.DicomScp;
import org.echostream.dicom.net.DicomTls;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.IngestContexts;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.ScpSettings;

/**
 * The whole C-STORE path as the service wires it (SCP, spool, pipeline, transactional Kafka publisher), on a
 * free loopback port against a given broker, without starting Quarkus.
 */
public final class ScpHarness implements AutoCloseable {

    public static final String AE = "ECHOSTREAM";

    public final DicomScp scp;
    private final ScpSettings settings;
    private final IngestingStoreHandler handler;
    private final java.util.List<DicomScp> tlsPorts = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final Spool spool;
    public final KafkaInstancePublisher publisher;
    public final Ingestor ingestor;

    public ScpHarness(String bootstrap, Path dir, ClipShape shape, Duration publishTimeout, long minFreeBytes, Set<String> allowedCallers)
            throws Exception {
        TopicCatalogueAdmin.ensureCatalogue(bootstrap, (short) 1);
        spool = new Spool(dir.resolve("spool"), minFreeBytes);
        publisher = new KafkaInstancePublisher(new KafkaSettings(bootstrap, publishTimeout), "test-ingest-" + java.util.UUID.randomUUID());
        ingestor = new Ingestor(Pipelines.processor(shape), spool, publisher, new InstanceLedger(), TestFiles.LIMITS.maxFileBytes(),
                (result, provenance, nanos) -> { }, 2);
        settings = new ScpSettings(AE, "127.0.0.1", 0, allowedCallers, 4, 262144, Duration.ofSeconds(30),
                TestFiles.LIMITS.maxFileBytes(), TestFiles.SCP_LIMITS, IngestContexts.STORAGE_CLASSES, IngestContexts.TRANSFER_SYNTAXES);
        handler = new IngestingStoreHandler(ingestor, Clock.systemUTC(), TestFiles.LIMITS.maxFileBytes());
        scp = new DicomScp(settings, handler, ScpListener.NONE).start();
    }

    /** A DICOM TLS port beside the plain one, into the same pipeline, as the service opens it; closed with the harness. */
    public DicomScp startTls(DicomTls tls, ScpListener listener) throws java.io.IOException {
        DicomScp port = new DicomScp(settings, tls, handler, listener).start();
        tlsPorts.add(port);
        return port;
    }

    public static ScpHarness start(String bootstrap, Path dir, ClipShape shape) throws Exception {
        return new ScpHarness(bootstrap, dir, shape, Duration.ofSeconds(10), 0, Set.of());
    }

    public int port() {
        return scp.port();
    }

    @Override
    public void close() {
        scp.close();
        tlsPorts.forEach(DicomScp::close);
        publisher.close();
    }
}
