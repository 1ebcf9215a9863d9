package org.echostream.findings;

import io.smallrye.common.annotation.Identifier;
import org.echostream.contracts.kafka.KafkaClientSettings;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.delivery.Attempt;
import org.echostream.findings.delivery.Transport;
import org.echostream.findings.desk.FindingsDesk;
import org.echostream.findings.study.Applied;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Feeds the desk from the topics and lets it deliver. One consumer, no consumer group: it assigns itself every
 * partition of the input topics and of the deliveries topic and reads them from the beginning at each start, so the
 * service rebuilds what it knows of every study and every earlier delivery from Kafka. Only once it has read up to
 * the end offsets the topics had at start does it deliver anything: a restart or a replay never sends a result
 * version again. It commits no offsets. {@code read_committed}: records of aborted transactions never count.
 *
 * <p>It also reads its own dead-letter topic from the start, so that poison met again while catching up is not
 * dead-lettered a second time at every restart: refusals found during the catch-up are held until it ends and
 * written only for records no earlier dead letter names.
 *
 * <p>One thread reads, decides and sends; a send waits at most for the transport's time-outs. There must be one
 * instance per destination (the transactional id of the delivery log fences a second one).
 */
@Singleton
class FindingsFeed {

    private static final Logger LOG = Logger.getLogger(FindingsFeed.class);
    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final String DEAD_LETTERS = Topics.deadLettersOf("findings").name();
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);

    private final FindingsDesk desk;
    private final FindingsConfig config;
    private final String bootstrap;
    private final KafkaDeliveryLog log;
    private final Transport transport;
    private final DeadLetters deadLetters;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** topic/partition/offset of every input record an earlier run dead-lettered; only needed until caught up. */
    private final Set<String> deadLettered = new HashSet<>();
    private final List<DeadLetter> heldDeadLetters = new ArrayList<>();
    private volatile boolean caughtUp;
    private volatile boolean running = true;
    private volatile String failure;
    private volatile String waitingFor;
    private volatile long toCatchUp = -1;
    private KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, Object> connection;
    private Thread thread;

    FindingsFeed(FindingsDesk desk, FindingsConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap,
                 KafkaDeliveryLog log, Transport transport, MeterRegistry metrics, Clock clock,
                 @Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.connection = kafka;
        this.desk = desk;
        this.config = config;
        this.bootstrap = bootstrap;
        this.log = log;
        this.transport = transport;
        this.deadLetters = new DeadLetters("findings", clock);
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge("echostream.findings.studies", desk, FindingsDesk::studies);
        metrics.gauge("echostream.findings.pending", desk, FindingsDesk::pending);
        metrics.gauge("echostream.findings.nothing.to.report", desk, FindingsDesk::nothingToReport);
    }

    /** After the topic catalogue exists (its observer runs at the default priority). */
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) StartupEvent event) {
        consumer = new KafkaConsumer<>(KafkaClientSettings.with(connection, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.CLIENT_ID_CONFIG, "echostream-findings",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "findings-feed");
        thread.setDaemon(true);
        // Avro resolves record classes through the context class loader: it must be the application's.
        thread.setContextClassLoader(FindingsFeed.class.getClassLoader());
        thread.start();
        LOG.infof("findings: delivering to %s (%s %s)", config.findings().destination().name(), transport.kind(), transport.describe());
    }

    boolean caughtUp() {
        return caughtUp;
    }

    boolean alive() {
        return thread != null && thread.isAlive();
    }

    String failure() {
        return failure;
    }

    String waitingFor() {
        return waitingFor;
    }

    long recordsToCatchUp() {
        return toCatchUp;
    }

    FindingsDesk desk() {
        return desk;
    }

    private void run() {
        try {
            Map<TopicPartition, Long> ends = assignFromStart();
            if (ends == null) {
                return;
            }
            Map<TopicPartition, Long> starts = consumer.beginningOffsets(ends.keySet(), SETUP_TIMEOUT);
            long total = 0;
            for (var end : ends.entrySet()) {
                total += end.getValue() - starts.get(end.getKey());
            }
            LOG.infof("findings: reading %d partitions of %d topics from the start, up to %d records, before delivering anything",
                    ends.size(), FindingsDesk.TOPICS.size() + 1, total);
            Instant started = clock.instant();
            Instant nextProgress = started.plus(config.findings().progressInterval());
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(config.findings().pollTimeout())) {
                    handle(record);
                }
                if (!caughtUp) {
                    long behind = behind(ends);
                    toCatchUp = behind;
                    if (behind == 0) {
                        writeHeldDeadLetters();
                        desk.caughtUp();
                        caughtUp = true;
                        LOG.infof("findings: caught up in %d ms: %d studies, %d earlier deliveries; delivering from now on",
                                Duration.between(started, clock.instant()).toMillis(), desk.studies(), desk.deliveriesKnown());
                    } else if (clock.instant().isAfter(nextProgress)) {
                        LOG.infof("findings: catching up, %d of %d records read (%d%%)", total - behind, total, total == 0 ? 100 : (total - behind) * 100 / total);
                        nextProgress = clock.instant().plus(config.findings().progressInterval());
                    }
                }
                if (caughtUp) {
                    if (log.fenced()) {
                        failure = "fenced: another findings instance uses transactional id " + config.findings().transactionalId();
                        LOG.errorf("findings: %s; this instance stops delivering (liveness DOWN)", failure);
                        return;
                    }
                    for (FindingsDesk.Handled h : desk.work()) {
                        report(h);
                    }
                }
            }
        } catch (WakeupException e) {
            // onStop() woke the poll: a normal shutdown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.errorf(e, "findings: the feed stopped (%s); liveness is DOWN until the service restarts", failure);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
            stopped.countDown();
        }
    }

    /** One line per attempt: study UID, result version, outcome and reason. Never patient data. */
    private void report(FindingsDesk.Handled h) {
        Attempt a = h.attempt();
        if (a instanceof Attempt.Delivered d) {
            LOG.infof("findings: study %s result %s delivered to %s (SR %s, attempt %d)", h.studyInstanceUid(), h.resultVersion(),
                    config.findings().destination().name(), d.srSopInstanceUid(), d.attempt());
        } else if (a instanceof Attempt.Retrying r) {
            LOG.warnf("findings: study %s result %s not delivered (%s); next attempt at %s", h.studyInstanceUid(), h.resultVersion(),
                    r.reasonCode(), r.nextAttemptAt());
        } else if (a instanceof Attempt.Failed f) {
            LOG.errorf("findings: study %s result %s FAILED: %s %s", h.studyInstanceUid(), h.resultVersion(), f.reasonCode(), f.reasonDetail());
        } else if (a instanceof Attempt.NotRecorded n) {
            LOG.warnf("findings: study %s result %s: delivery state not recorded, nothing sent this time (%s)", h.studyInstanceUid(),
                    h.resultVersion(), n.reason());
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        if (record.topic().equals(DEAD_LETTERS)) {
            rememberDeadLetter(record);
            return;
        }
        Applied applied;
        try {
            applied = desk.apply(record.topic(), record.key(), record.value());
        } catch (RuntimeException e) {
            // The desk answers Invalid for every kind of bad input it knows; anything else is a bug, but one record
            // must not stop the feed for every other study.
            applied = new Applied.Invalid("UNEXPECTED_ERROR", e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        String outcome = applied instanceof Applied.Stored ? "stored" : applied instanceof Applied.Invalid ? "invalid" : "ignored";
        metrics.counter("echostream.findings.records", "topic", record.topic(), "outcome", outcome).increment();
        if (applied instanceof Applied.Invalid invalid) {
            DeadLetter letter = deadLetters.forRecord(record, invalid.reasonCode(), invalid.reasonDetail());
            if (caughtUp) {
                deadLetter(letter);
            } else {
                heldDeadLetters.add(letter);
            }
        }
    }

    private void deadLetter(DeadLetter letter) {
        LOG.warnf("findings: refused %s-%d@%d: %s %s", letter.getSourceTopic(), letter.getSourcePartition(), letter.getSourceOffset(),
                letter.getReasonCode(), letter.getReasonDetail());
        metrics.counter("echostream.findings.dead.letters", "reason", letter.getReasonCode()).increment();
        log.deadLetter(letter);
    }

    private void rememberDeadLetter(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() != null && DecodeResult.decode(LETTERS, record.value()) instanceof DecodeResult.Decoded<DeadLetter> decoded
                && decoded.value().getSourceTopic() != null) {
            DeadLetter l = decoded.value();
            deadLettered.add(l.getSourceTopic() + "/" + l.getSourcePartition() + "/" + l.getSourceOffset());
        }
    }

    /** The refusals met while catching up, less those an earlier run already dead-lettered. */
    private void writeHeldDeadLetters() {
        int known = 0;
        for (DeadLetter l : heldDeadLetters) {
            if (deadLettered.contains(l.getSourceTopic() + "/" + l.getSourcePartition() + "/" + l.getSourceOffset())) {
                known++;
            } else {
                deadLetter(l);
            }
        }
        if (known > 0) {
            LOG.infof("findings: %d refused input records were dead-lettered by an earlier run; not again", known);
        }
        heldDeadLetters.clear();
        deadLettered.clear();
    }

    /**
     * Assigns every partition of the topics from offset 0 and takes their end offsets. Retries while the broker is
     * unreachable or a topic does not exist yet, doubling the wait up to 30 s; readiness stays DOWN meanwhile.
     */
    private Map<TopicPartition, Long> assignFromStart() throws InterruptedException {
        long backoff = 1_000;
        for (int attempt = 1; running; attempt++) {
            try {
                List<TopicPartition> partitions = new ArrayList<>();
                List<String> topics = new ArrayList<>(FindingsDesk.TOPICS);
                topics.add(DEAD_LETTERS);
                for (String topic : topics) {
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
                LOG.warnf("findings: cannot assign the topics (attempt %d): %s; retrying in %d s", attempt, e.getMessage(), backoff / 1000);
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

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            stopped.await(10, TimeUnit.SECONDS);
        }
    }
}
