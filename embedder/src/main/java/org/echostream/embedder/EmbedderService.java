package org.echostream.embedder;

import io.smallrye.common.annotation.Identifier;
import org.echostream.contracts.kafka.KafkaClientSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.Topics;
import org.echostream.embedder.core.BatchPolicy;
import org.echostream.embedder.core.ClipEmbedder;
import org.echostream.embedder.core.EmbeddingModel;
import org.echostream.embedder.core.OrtSettings;
import org.echostream.embedder.stream.EmbedLoop;
import org.echostream.embedder.stream.EmbedderMetrics;
import org.echostream.embedder.stream.LoopSettings;
import org.echostream.embedder.stream.LoopStatus;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Wires the embedder: verifies and loads the model (a tampered or missing release stops the start with
 * the reason), warms it up, then runs the embed loop on its own thread until shutdown.
 */
@Singleton
public class EmbedderService {

    private static final Logger LOG = Logger.getLogger(EmbedderService.class);
    private static final long STOP_WAIT_MILLIS = 30_000;

    private final EmbedderConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String bootstrapServers;
    private volatile EmbeddingModel model;
    private volatile ClipEmbedder embedder;
    private volatile EmbedLoop loop;
    private volatile Thread thread;
    private volatile boolean warmedUp;
    private final Map<String, Object> connection;

    EmbedderService(EmbedderConfig config, MeterRegistry registry, Clock clock,
                    @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                    @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.config = config;
        // the connection settings (TLS, SASL) the operator gives as kafka.*, for both clients of the loop
        this.connection = KafkaClientSettings.with(kafka, Map.of());
        this.registry = registry;
        this.clock = clock;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes @Priority(TopicCatalogueStartup.PRIORITY + 10) StartupEvent event) {
        EmbedderConfig.Embedder e = config.embedder();
        // Throws InvalidModelException (naming the file and the fact) on a missing or altered release: Quarkus stops.
        model = EmbeddingModel.open(Path.of(config.model().dir()), config.model().releaseSha256(),
                new OrtSettings(e.executionProvider(), e.cudaDevice(), e.intraOpThreads(), e.interOpThreads()));
        embedder = new ClipEmbedder(model, e.maxBatchSize(), e.tokenEncoding(), clock);
        long start = System.nanoTime();
        embedder.warmUp(e.warmUpRuns());
        warmedUp = true;
        LOG.infof("model %s %s warmed up in %.0f ms (%d full batches of %d)", model.modelRef().getName(),
                model.modelRef().getVersion(), (System.nanoTime() - start) / 1e6, e.warmUpRuns(), e.maxBatchSize());

        LoopSettings settings = new LoopSettings(bootstrapServers, Topics.CLIPS.name(), Topics.LATENTS.name(), e.groupId(),
                e.transactionalId(), e.transactionTimeout(), e.maxRecordBytes(),
                new BatchPolicy(e.maxBatchSize(), e.maxWait(), e.maxBufferedClips()), connection);
        loop = new EmbedLoop(settings, embedder, new DeadLetters("embedder", clock), new EmbedderMetrics(registry, e.maxBatchSize()), clock);
        thread = new Thread(loop, "embed-loop");
        thread.start();
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        EmbedLoop running = loop;
        if (running != null) {
            running.stop();
            thread.join(STOP_WAIT_MILLIS);
        }
        if (embedder != null) {
            embedder.close();
        }
        if (model != null) {
            model.close();
        }
    }

    /** True once the model is verified, loaded and warmed up. */
    public boolean modelReady() {
        return warmedUp;
    }

    public String transactionalId() {
        return config.embedder().transactionalId();
    }

    public EmbeddingModel model() {
        return model;
    }

    public LoopStatus loopStatus() {
        EmbedLoop running = loop;
        return running == null ? null : running.status();
    }
}
