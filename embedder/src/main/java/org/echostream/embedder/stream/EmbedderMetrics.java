package org.echostream.embedder.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedder's Prometheus metrics (names as Prometheus shows them):
 * {@code echostream_embedder_clips_total} (rate = clips/s), {@code echostream_embedder_batch_size} (histogram),
 * {@code echostream_embedder_inference_seconds{stage=encoder|predictor}} (per batch),
 * {@code echostream_embedder_batch_seconds} (a whole batch, Kafka transaction included),
 * {@code echostream_embedder_consumer_lag}, {@code echostream_embedder_buffered_clips},
 * {@code echostream_embedder_consumption_paused}, {@code echostream_embedder_rejected_total{reason}},
 * {@code echostream_embedder_transactions_total{outcome=committed|aborted}}.
 */
public final class EmbedderMetrics {

    private final MeterRegistry registry;
    private final Counter clips;
    private final DistributionSummary batchSize;
    private final Timer encoder;
    private final Timer predictor;
    private final Timer batch;
    private final Counter committed;
    private final Counter aborted;
    private final AtomicLong lag = new AtomicLong();
    private final AtomicLong buffered = new AtomicLong();
    private final AtomicLong paused = new AtomicLong();

    public EmbedderMetrics(MeterRegistry registry, int maxBatchSize) {
        this.registry = registry;
        this.clips = Counter.builder("echostream.embedder.clips").description("Clips embedded and published").register(registry);
        double[] buckets = new double[maxBatchSize];
        for (int i = 0; i < maxBatchSize; i++) {
            buckets[i] = i + 1;
        }
        this.batchSize = DistributionSummary.builder("echostream.embedder.batch.size").description("Clips per inference batch")
                .serviceLevelObjectives(buckets).register(registry);
        this.encoder = inferenceTimer("encoder");
        this.predictor = inferenceTimer("predictor");
        this.batch = Timer.builder("echostream.embedder.batch").description("One batch: decode, inference, Kafka transaction")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        this.committed = Counter.builder("echostream.embedder.transactions").tag("outcome", "committed").register(registry);
        this.aborted = Counter.builder("echostream.embedder.transactions").tag("outcome", "aborted").register(registry);
        registry.gauge("echostream.embedder.consumer.lag", lag);
        registry.gauge("echostream.embedder.buffered.clips", buffered);
        registry.gauge("echostream.embedder.consumption.paused", paused);
    }

    private Timer inferenceTimer(String stage) {
        return Timer.builder("echostream.embedder.inference").tag("stage", stage).description("Model run time for one batch")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    void batch(int size, double encoderMillis, double predictorMillis) {
        batchSize.record(size);
        encoder.record((long) (encoderMillis * 1e6), TimeUnit.NANOSECONDS);
        predictor.record((long) (predictorMillis * 1e6), TimeUnit.NANOSECONDS);
    }

    void committed(int embeddedClips, long batchNanos) {
        clips.increment(embeddedClips);
        committed.increment();
        batch.record(batchNanos, TimeUnit.NANOSECONDS);
    }

    void aborted() {
        aborted.increment();
    }

    void producerRestarted() {
        registry.counter("echostream.embedder.producer.restarts").increment();
    }

    void rejected(String reason) {
        registry.counter("echostream.embedder.rejected", "reason", reason).increment();
    }

    void lag(long records) {
        lag.set(records);
    }

    void buffered(int clipCount, boolean consumptionPaused) {
        buffered.set(clipCount);
        paused.set(consumptionPaused ? 1 : 0);
    }
}
