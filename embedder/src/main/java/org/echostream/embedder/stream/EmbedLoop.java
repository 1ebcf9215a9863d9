package org.echostream.embedder.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InferenceTiming;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.embedder.core.BatchPolicy;
import org.echostream.embedder.core.ClipEmbedder;
import org.echostream.embedder.core.EmbedOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedder's consume-transform-produce loop, on one dedicated thread, exactly once:
 * <ol>
 *   <li>poll clips ({@code read_committed}, no auto-commit) into a bounded buffer; pause every owned
 *       partition while the buffer is full (backpressure: a backlog stays on the broker);</li>
 *   <li>when a batch is due (full, or its oldest clip waited {@code maxWait}), decode, embed, and in one Kafka
 *       transaction publish one latents record or one dead letter per clip record and commit the
 *       consumed offsets with the group's metadata ({@code sendOffsetsToTransaction});</li>
 *   <li>if the transaction fails, abort it and rewind to the first uncommitted clip of every partition:
 *       nothing of the batch becomes visible and it is processed again.</li>
 * </ol>
 * A read_committed reader of the latents topic therefore sees every clip exactly once, across crashes,
 * restarts and rebalances: the transactional id fences an earlier life of this instance, and the group
 * generation in the offset commit fences a consumer that lost its partitions.
 *
 * <p>A transaction whose outcome the client cannot know (a commit or abort that timed out on a slow broker,
 * a producer left in an error state) does not end the loop: the producer is closed and a new one with the
 * same transactional id is started, whose {@code initTransactions} waits until the broker has finished the
 * old transaction (committed or aborted); every owned partition then resumes from the offset the group has
 * committed, so a batch that did commit is not embedded twice and one that did not is embedded again.
 * Retries back off from 1 s, doubling to 30 s. Only fencing and authorization errors stop the loop.
 */
public final class EmbedLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedLoop.class);
    private static final AvroSerde<Clip> CLIPS = AvroSerde.of(Clip.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);
    /** After an aborted transaction: give a struggling broker a moment before the batch runs again. */
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    /** Consecutive failures double the pause up to this. */
    private static final Duration MAX_RETRY_BACKOFF = Duration.ofSeconds(30);
    /** Reason code of dead letters for latents bigger than the latents topic takes. */
    static final String OUTPUT_TOO_LARGE = "OUTPUT_TOO_LARGE";

    private final LoopSettings settings;
    private final BatchPolicy policy;
    private final ClipEmbedder embedder;
    private final DeadLetters deadLetters;
    private final EmbedderMetrics metrics;
    private final Clock clock;
    private final Function<Map<String, Object>, Producer<String, byte[]>> producers;
    private final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
    /** Loop thread only. */
    private Producer<String, byte[]> producer;
    private int consecutiveFailures;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopRequested;
    private volatile LoopStatus status = LoopStatus.starting();
    private boolean paused;

    private record Buffered(ConsumerRecord<byte[], byte[]> record, Instant arrivedAt) {
        TopicPartition partition() {
            return new TopicPartition(record.topic(), record.partition());
        }
    }

    public EmbedLoop(LoopSettings settings, ClipEmbedder embedder, DeadLetters deadLetters, EmbedderMetrics metrics, Clock clock) {
        this(settings, embedder, deadLetters, metrics, clock,
                properties -> new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer()));
    }

    /** @param producers makes the transactional producer from its properties (a fresh one after each unknown outcome) */
    public EmbedLoop(LoopSettings settings, ClipEmbedder embedder, DeadLetters deadLetters, EmbedderMetrics metrics, Clock clock,
                     Function<Map<String, Object>, Producer<String, byte[]>> producers) {
        this.producers = producers;
        this.settings = settings;
        this.policy = settings.policy();
        this.embedder = embedder;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.clock = clock;
    }

    public LoopStatus status() {
        return status;
    }

    /** Asks the loop to finish its current batch and stop; returns at once. */
    public void stop() {
        stopRequested = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            producer = producers.apply(producerProperties());
            // Aborts whatever an earlier life of this transactional id left open, and fences that life.
            producer.initTransactions();
            c.subscribe(List.of(settings.clipsTopic()), new Rebalance());
            status = status.with(LoopStatus.State.RUNNING);
            LOG.info("embedding {} -> {} as {} in group {} (batches of up to {}, max wait {} ms, {} clips buffered at most)",
                    settings.clipsTopic(), settings.latentsTopic(), settings.transactionalId(), settings.groupId(),
                    policy.maxBatchSize(), policy.maxWait().toMillis(), policy.maxBufferedClips());
            while (!stopRequested) {
                step(c);
            }
            status = status.with(LoopStatus.State.STOPPED);
        } catch (WakeupException e) {
            status = status.with(stopRequested ? LoopStatus.State.STOPPED : LoopStatus.State.FAILED);
        } catch (RuntimeException e) {
            LOG.error("embed loop stopped: {}", e.toString(), e);
            status = status.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            consumer = null;
            closeQuietly(producer);
            producer = null;
            LOG.info("embed loop {} ended ({})", settings.transactionalId(), status.state());
        }
    }

    private void step(KafkaConsumer<byte[], byte[]> c) {
        Instant now = clock.instant();
        ConsumerRecords<byte[], byte[]> records = c.poll(policy.pollTimeout(buffer.size(), oldestArrival(), now));
        Instant arrived = clock.instant();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            buffer.add(new Buffered(record, arrived));
        }
        applyBackpressure(c);
        reportLag(c);
        while (!stopRequested && policy.isDue(buffer.size(), oldestArrival(), clock.instant())) {
            List<Buffered> batch = new ArrayList<>(policy.maxBatchSize());
            while (batch.size() < policy.maxBatchSize() && !buffer.isEmpty()) {
                batch.add(buffer.poll());
            }
            processInTransaction(c, batch);
        }
        applyBackpressure(c);
    }

    private Instant oldestArrival() {
        Buffered first = buffer.peek();
        return first == null ? Instant.MAX : first.arrivedAt();
    }

    private void applyBackpressure(KafkaConsumer<byte[], byte[]> c) {
        if (policy.shouldPause(buffer.size())) {
            if (!paused) {
                LOG.debug("pausing consumption: {} clips buffered", buffer.size());
            }
            c.pause(c.assignment()); // every time: partitions assigned since the last pause must pause too
            paused = true;
        } else if (paused) {
            c.resume(c.paused());
            paused = false;
        }
        metrics.buffered(buffer.size(), paused);
    }

    private void reportLag(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition partition : c.assignment()) {
            total += c.currentLag(partition).orElse(0);
        }
        metrics.lag(total + buffer.size());
    }

    private void processInTransaction(KafkaConsumer<byte[], byte[]> c, List<Buffered> batch) {
        long start = System.nanoTime();
        List<EmbedOutcome> outcomes = embed(batch);
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>(batch.size());
        List<String> rejectedReasons = new ArrayList<>();
        int embedded = 0;
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> source = batch.get(i).record();
            EmbedOutcome outcome = outcomes.get(i);
            if (outcome instanceof EmbedOutcome.Embedded e) {
                byte[] value = LATENTS.encode(e.latents());
                if (value.length <= settings.maxRecordBytes()) {
                    out.add(new ProducerRecord<>(settings.latentsTopic(), e.latents().getRef().getSeriesInstanceUid(), value));
                    embedded++;
                    continue;
                }
                outcome = new EmbedOutcome.Rejected(OUTPUT_TOO_LARGE, "latents record of " + value.length
                        + " bytes exceeds the " + settings.maxRecordBytes() + " bytes the latents topic takes (use float16 tokens)");
            }
            EmbedOutcome.Rejected rejected = (EmbedOutcome.Rejected) outcome;
            rejectedReasons.add(rejected.reasonCode());
            DeadLetter letter = deadLetters.forRecord(source, rejected.reasonCode(), rejected.reasonDetail());
            ProducerRecord<String, DeadLetter> typed = deadLetters.toProducerRecord(letter);
            out.add(new ProducerRecord<>(typed.topic(), typed.key(), LETTERS.encode(letter)));
            LOG.warn("dead-lettered {}-{}@{}: {} {}", source.topic(), source.partition(), source.offset(),
                    rejected.reasonCode(), rejected.reasonDetail());
        }
        try {
            producer.beginTransaction();
            for (ProducerRecord<String, byte[]> record : out) {
                producer.send(record);
            }
            producer.sendOffsetsToTransaction(nextOffsets(batch), c.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | FencedInstanceIdException | InvalidProducerEpochException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException e) {
            // Another instance took over this transactional id, or the producer is unusable: this instance must not
            // write again. Stop; the orchestrator restarts it (liveness turns DOWN).
            throw e;
        } catch (KafkaException | IllegalStateException e) {
            metrics.aborted();
            consecutiveFailures++;
            // After a commit that timed out the client may neither abort nor commit again: the outcome is the broker's.
            if (!(e instanceof TimeoutException) && abortQuietly(producer)) {
                LOG.warn("transaction for {} clips aborted ({}); rewinding to the first uncommitted clip", batch.size(), e.toString());
                rewind(c, batch);
                sleep(backoff());
            } else {
                LOG.warn("transaction for {} clips has an unknown outcome ({}); starting a new producer for {} and resuming from "
                        + "the committed offsets", batch.size(), e.toString(), settings.transactionalId());
                restartProducer(c);
            }
            return;
        }
        consecutiveFailures = 0;
        status = status.committedAt(clock.instant());
        metrics.committed(embedded, System.nanoTime() - start);
        rejectedReasons.forEach(metrics::rejected);
    }

    /** Decodes every record, embeds the clips among them, and gives one outcome per record, in order. */
    private List<EmbedOutcome> embed(List<Buffered> batch) {
        EmbedOutcome[] outcomes = new EmbedOutcome[batch.size()];
        List<Clip> clips = new ArrayList<>(batch.size());
        List<Integer> positions = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DecodeResult<Clip> decoded = DecodeResult.decode(CLIPS, batch.get(i).record().value());
            if (decoded instanceof DecodeResult.Decoded<Clip> d) {
                clips.add(d.value());
                positions.add(i);
            } else if (decoded instanceof DecodeResult.Poison<Clip> p) {
                outcomes[i] = new EmbedOutcome.Rejected(p.reasonCode(), p.reasonDetail());
            }
        }
        List<EmbedOutcome> embedded = embedder.embed(clips);
        Set<InferenceTiming> runs = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int j = 0; j < embedded.size(); j++) {
            outcomes[positions.get(j)] = embedded.get(j);
            if (embedded.get(j) instanceof EmbedOutcome.Embedded e && runs.add(e.latents().getTiming())) {
                InferenceTiming t = e.latents().getTiming();
                metrics.batch(t.getBatchSize(), t.getEncoderMillis(), t.getPredictorMillis());
            }
        }
        return List.of(outcomes);
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<Buffered> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Buffered b : batch) {
            offsets.merge(b.partition(), new OffsetAndMetadata(b.record().offset() + 1),
                    (x, y) -> x.offset() >= y.offset() ? x : y);
        }
        return offsets;
    }

    /** After an abort: seek each partition back to its first uncommitted clip and forget what was buffered. */
    private void rewind(KafkaConsumer<byte[], byte[]> c, List<Buffered> batch) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (Buffered b : batch) {
            first.merge(b.partition(), b.record().offset(), Math::min);
        }
        for (Buffered b : buffer) {
            first.merge(b.partition(), b.record().offset(), Math::min);
        }
        buffer.clear();
        Set<TopicPartition> owned = c.assignment();
        first.forEach((partition, offset) -> {
            if (owned.contains(partition)) {
                c.seek(partition, offset);
            }
        });
    }

    /** @return whether the abort went through (if not, the producer's state is unknown and it must be replaced) */
    private static boolean abortQuietly(Producer<String, byte[]> producer) {
        try {
            producer.abortTransaction();
            return true;
        } catch (KafkaException | IllegalStateException e) {
            LOG.warn("abort failed too ({})", e.toString());
            return false;
        }
    }

    /**
     * Replaces the producer and puts every owned partition back to the group's committed offset, retrying with back-off
     * while the broker does not answer. The new producer's initTransactions completes only once the broker has
     * committed or aborted what the old one left open, and the committed offsets then say which it was.
     */
    private void restartProducer(KafkaConsumer<byte[], byte[]> c) {
        while (!stopRequested) {
            closeQuietly(producer);
            producer = null;
            sleep(backoff());
            if (stopRequested) {
                return;
            }
            try {
                producer = producers.apply(producerProperties());
                producer.initTransactions();
                resumeFromCommitted(c);
                metrics.producerRestarted();
                LOG.info("new producer for {} ready after {} failed attempts; resumed from the committed offsets",
                        settings.transactionalId(), consecutiveFailures);
                return;
            } catch (ProducerFencedException | FencedInstanceIdException | InvalidProducerEpochException | AuthorizationException
                     | UnsupportedVersionException e) {
                throw e;
            } catch (KafkaException | IllegalStateException e) {
                consecutiveFailures++;
                LOG.warn("new producer for {} not ready yet ({}); retrying", settings.transactionalId(), e.toString());
            }
        }
    }

    private void resumeFromCommitted(KafkaConsumer<byte[], byte[]> c) {
        buffer.clear();
        Set<TopicPartition> owned = c.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(owned);
        List<TopicPartition> neverCommitted = new ArrayList<>();
        for (TopicPartition partition : owned) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                neverCommitted.add(partition);
            } else {
                c.seek(partition, offset);
            }
        }
        // auto.offset.reset=earliest: a partition the group never committed starts from its first clip.
        c.seekToBeginning(neverCommitted);
    }

    private Duration backoff() {
        int doublings = Math.min(Math.max(consecutiveFailures - 1, 0), 5);
        Duration delay = RETRY_BACKOFF.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_RETRY_BACKOFF) > 0 ? MAX_RETRY_BACKOFF : delay;
    }

    private static void closeQuietly(Producer<String, byte[]> p) {
        if (p == null) {
            return;
        }
        try {
            // Nothing to wait for: what is not committed is done again.
            p.close(Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.debug("closing the old producer: {}", e.toString());
        }
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopRequested = true;
        }
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-consumer");
        // Only clips of committed ingest transactions; offsets go through our own transactions.
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, policy.maxBatchSize());
        // Bounds what the client fetches ahead while the loop works: with pausing, memory stays flat under a backlog.
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 * 1024 * 1024);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024 + 1024);
        p.putAll(settings.clientOverrides());
        return p;
    }

    private Map<String, Object> producerProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, settings.transactionalId());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, settings.transactionalId() + "-producer");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) settings.transactionTimeout().toMillis());
        // Batching is ours (a transaction per inference batch); waiting in the producer only adds latency.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, settings.maxRecordBytes() + 64 * 1024);
        p.putAll(settings.clientOverrides());
        return p;
    }

    /** Drops what was buffered from partitions this instance no longer owns: their new owner starts at the committed offset. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            KafkaConsumer<byte[], byte[]> c = consumer;
            int owned = c == null ? partitions.size() : c.assignment().size();
            status = status.withPartitions(owned);
            LOG.info("{} owns {} partitions of {} now (newly assigned: {})", settings.transactionalId(), owned,
                    settings.clipsTopic(), partitions.size());
        }

        private void forget(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                buffer.removeIf(b -> partitions.contains(b.partition()));
                status = status.withPartitions(Math.max(0, status.assignedPartitions() - partitions.size()));
            }
        }
    }
}
