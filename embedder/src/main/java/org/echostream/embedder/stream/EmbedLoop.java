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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
 */
public final class EmbedLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbedLoop.class);
    private static final AvroSerde<Clip> CLIPS = AvroSerde.of(Clip.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);
    private static final AvroSerde<DeadLetter> LETTERS = AvroSerde.of(DeadLetter.class);
    /** After an aborted transaction: give a struggling broker a moment before the batch runs again. */
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);
    /** Reason code of dead letters for latents bigger than the latents topic takes. */
    static final String OUTPUT_TOO_LARGE = "OUTPUT_TOO_LARGE";

    private final LoopSettings settings;
    private final BatchPolicy policy;
    private final ClipEmbedder embedder;
    private final DeadLetters deadLetters;
    private final EmbedderMetrics metrics;
    private final Clock clock;
    private final ArrayDeque<Buffered> buffer = new ArrayDeque<>();
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
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer())) {
            consumer = c;
            // Aborts whatever an earlier life of this transactional id left open, and fences that life.
            producer.initTransactions();
            c.subscribe(List.of(settings.clipsTopic()), new Rebalance());
            status = status.with(LoopStatus.State.RUNNING);
            LOG.info("embedding {} -> {} as {} in group {} (batches of up to {}, max wait {} ms, {} clips buffered at most)",
                    settings.clipsTopic(), settings.latentsTopic(), settings.transactionalId(), settings.groupId(),
                    policy.maxBatchSize(), policy.maxWait().toMillis(), policy.maxBufferedClips());
            while (!stopRequested) {
                step(c, producer);
            }
            status = status.with(LoopStatus.State.STOPPED);
        } catch (WakeupException e) {
            status = status.with(stopRequested ? LoopStatus.State.STOPPED : LoopStatus.State.FAILED);
        } catch (RuntimeException e) {
            LOG.error("embed loop stopped: {}", e.toString(), e);
            status = status.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            consumer = null;
            LOG.info("embed loop {} ended ({})", settings.transactionalId(), status.state());
        }
    }

    private void step(KafkaConsumer<byte[], byte[]> c, KafkaProducer<String, byte[]> producer) {
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
            processInTransaction(c, producer, batch);
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

    private void processInTransaction(KafkaConsumer<byte[], byte[]> c, KafkaProducer<String, byte[]> producer, List<Buffered> batch) {
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
        } catch (KafkaException e) {
            LOG.warn("transaction for {} clips aborted ({}); rewinding to the first uncommitted clip", batch.size(), e.toString());
            abortQuietly(producer);
            rewind(c, batch);
            metrics.aborted();
            sleep(RETRY_BACKOFF);
            return;
        }
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

    private static void abortQuietly(KafkaProducer<String, byte[]> producer) {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.warn("abort failed too ({}); the broker aborts the transaction when it times out", e.toString());
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
