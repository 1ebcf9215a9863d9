package org.echostream.api;

import io.smallrye.common.annotation.Identifier;
import org.echostream.contracts.kafka.KafkaClientSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.echostream.api.model.Applied;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.RecordRouter;
import org.echostream.api.model.Views;
import org.echostream.contracts.AnomalyEvent;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.kafka.Topics;
import org.echostream.contracts.kafka.DeadLetters;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Feeds the read model from the topics. One consumer, no consumer group: it assigns itself every
 * partition of the read-model topics and reads from offset 0 at each start, so every api replica holds the
 * whole view and a restart rebuilds it from Kafka. It commits nothing. {@code read_committed}: records of
 * aborted transactions (ingest, embedder) never show.
 *
 * <p>Why not Kafka Streams global stores: the view is small enough for memory, several parts of it are
 * derived (running embedding sums, a byte-bounded pixel cache) rather than key-value copies, and a plain
 * consumer needs no state directory or changelog topics. Readiness turns UP once the consumer reached the
 * end offsets the topics had when it started.
 */
@Singleton
class ReadModelFeed {

    private static final Logger LOG = Logger.getLogger(ReadModelFeed.class);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    private final ReadModel model;
    private final RecordRouter router;
    private final ApiConfig config;
    private final String bootstrap;
    private final ApiProducer producer;
    private final DeadLetters deadLetters;
    private final EventBroadcaster broadcaster;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong toCatchUp = new AtomicLong(-1);
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile String failure;
    private volatile String waitingFor;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Object> connection;
    private Thread thread;

    private final RepresentationHealth representation;

    ReadModelFeed(ReadModel model, ApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                  ApiProducer producer, EventBroadcaster broadcaster, MeterRegistry metrics, Clock clock,
                  @Identifier("default-kafka-broker") Map<String, Object> kafka, RepresentationHealth representation) {
        this.connection = kafka;
        this.representation = representation;
        this.model = model;
        this.router = new RecordRouter(model);
        this.config = config;
        this.bootstrap = bootstrap;
        this.producer = producer;
        this.deadLetters = new DeadLetters("api", clock);
        this.broadcaster = broadcaster;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("echostream.api.cine.bytes", model.cineStore(), c -> c.bytesHeld());
        metrics.gauge("echostream.api.cine.loops", model.cineStore(), c -> c.loopsHeld());
        metrics.gauge("echostream.api.read.model.studies", model, ReadModel::studyCount);
        metrics.gauge("echostream.api.read.model.series", model, ReadModel::seriesCount);
    }

    /** After the topic catalogue exists (its observer runs at the default priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        consumer = new KafkaConsumer<>(KafkaClientSettings.with(connection, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "echostream-api-read-model",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, config.api().readModel().maxPartitionFetchBytes())),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "read-model-feed");
        thread.setDaemon(true);
        // Avro resolves record classes through the context class loader: it must be the application's.
        thread.setContextClassLoader(ReadModelFeed.class.getClassLoader());
        thread.start();
    }

    boolean caughtUp() {
        return caughtUp;
    }

    long recordsApplied() {
        return applied.get();
    }

    /** Records still to read before the view is complete; -1 before the end offsets are known. */
    long recordsToCatchUp() {
        return toCatchUp.get();
    }

    String failure() {
        return failure;
    }

    /** Why the rebuild has not started (broker unreachable, topic missing), or null. */
    String waitingFor() {
        return waitingFor;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> ends = assignFromStart();
            if (ends == null) {
                return; // stopped while waiting for the broker
            }
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(ends.keySet(), SETUP_TIMEOUT);
            long total = 0;
            for (var end : ends.entrySet()) {
                total += end.getValue() - starts.get(end.getKey());
            }
            List<TopicPartition> partitions = List.copyOf(ends.keySet());
            LOG.infof("read model: rebuilding from %d partitions of %d topics, up to %d records", partitions.size(), router.topics().size(), total);
            Instant started = clock.instant();
            Instant nextProgress = started.plus(config.api().readModel().progressInterval());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(config.api().readModel().pollTimeout());
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                }
                if (!caughtUp) {
                    long behind = behind(ends);
                    toCatchUp.set(behind);
                    if (behind == 0) {
                        caughtUp = true;
                        representation.settle();
                        republishFeedback();
                        LOG.infof("read model: rebuilt in %d ms: %d studies, %d series, %d records applied",
                                Duration.between(started, clock.instant()).toMillis(), model.studyCount(), model.seriesCount(), applied.get());
                    } else if (clock.instant().isAfter(nextProgress)) {
                        LOG.infof("read model: rebuilding, %d of %d records read (%d%%)", total - behind, total, total == 0 ? 100 : (total - behind) * 100 / total);
                        nextProgress = clock.instant().plus(config.api().readModel().progressInterval());
                    }
                }
            }
        } catch (WakeupException e) {
            // stop() woke the poll: a normal shutdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.errorf("read model: the feed stopped (%s); readiness is DOWN until the api restarts", failure);
        } finally {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
            stopped.countDown();
        }
    }

    /**
     * Assigns every partition of the read-model topics from offset 0 and takes their end offsets. Retries
     * while the broker is unreachable or a topic does not exist yet (created by another service's admin step
     * or by Strimzi), doubling the wait up to 30 s; readiness stays DOWN meanwhile with the reason.
     *
     * @return the end offsets to catch up with, or null when the service stopped first
     */
    private Map<TopicPartition, Long> assignFromStart() throws InterruptedException {
        long backoff = 1_000;
        for (int attempt = 1; running; attempt++) {
            try {
                List<TopicPartition> partitions = new ArrayList<>();
                for (String topic : router.topics()) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic, SETUP_TIMEOUT);
                    if (infos == null || infos.isEmpty()) {
                        throw new KafkaException("topic " + topic + " does not exist (yet)");
                    }
                    infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions, SETUP_TIMEOUT));
                waitingFor = null;
                return ends;
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                waitingFor = e.getMessage();
                LOG.warnf("read model: cannot assign the topics (attempt %d): %s; retrying in %d s", attempt, e.getMessage(), backoff / 1000);
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            }
        }
        return null;
    }

    /** Records between the consumer's position and the end offsets taken at start (transaction markers count as read). */
    private long behind(Map<TopicPartition, Long> ends) {
        long behind = 0;
        for (var end : ends.entrySet()) {
            behind += Math.max(0, end.getValue() - consumer.position(end.getKey()));
        }
        return behind;
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        RecordRouter.Routed routed = router.route(record.topic(), key, record.value());
        Applied result = routed.applied();
        String outcome;
        if (result instanceof Applied.Invalid invalid) {
            outcome = "invalid";
            DeadLetter letter = deadLetters.forRecord(record, invalid.reasonCode(), invalid.reasonDetail());
            // The detail names topic/partition/offset and what was wrong; never the payload.
            LOG.warnf("read model: refused %s-%d@%d: %s %s", record.topic(), record.partition(), record.offset(),
                    invalid.reasonCode(), invalid.reasonDetail());
            metrics.counter("echostream.api.dead.letters", "reason", invalid.reasonCode()).increment();
            producer.send(deadLetters.topic(), deadLetters.toProducerRecord(letter).key(), letter, (meta, error) -> {
                if (error != null) {
                    LOG.errorf("read model: dead letter for %s-%d@%d not written: %s", record.topic(), record.partition(), record.offset(), error.getMessage());
                }
            });
        } else if (result instanceof Applied.Stored stored) {
            outcome = "stored";
            applied.incrementAndGet();
            if (caughtUp && stored.firstSeen() && routed.value() instanceof AnomalyEvent event) {
                broadcaster.publish(Views.Event.of(event));
            }
        } else {
            outcome = "ignored";
        }
        if (routed.value() instanceof ClipLatents latents) {
            var ref = latents.getRef();
            representation.add(latents, () -> model.manufacturerOf(ref.getSeriesInstanceUid(), ref.getSopInstanceUid()));
        }
        if (caughtUp && routed.value() instanceof SeriesFeedback) {
            republishFeedback();
        }
        metrics.counter("echostream.api.read.model.records", "topic", record.topic(), "outcome", outcome).increment();
    }

    /**
     * A feedback record that lacked answers held here was written from a view that had not seen them (another
     * replica answered the same series at the same moment). Compaction keeps only the last record of a key, so the
     * union is written again; every replica that notices does so, which is harmless (merging is by entry id).
     */
    private void republishFeedback() {
        for (SeriesFeedback union : model.takeFeedbackToRepublish(clock.instant())) {
            LOG.warnf("feedback on series %s: a record lacked answers held here; writing the union (%d answers) again",
                    union.getSeriesInstanceUid(), union.getEntries().size());
            metrics.counter("echostream.api.feedback.republished").increment();
            producer.send(Topics.FEEDBACK, union.getSeriesInstanceUid(), union, (meta, error) -> {
                if (error != null) {
                    LOG.errorf("feedback on series %s: the union was not written: %s", union.getSeriesInstanceUid(), error.getMessage());
                }
            });
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            stopped.await(10, TimeUnit.SECONDS);
        }
    }
}
