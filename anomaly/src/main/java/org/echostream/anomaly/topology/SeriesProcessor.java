package org.echostream.anomaly.topology;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.series.ClipOutcome;
import org.echostream.anomaly.series.Emission;
import org.echostream.anomaly.series.LatentsCheck;
import org.echostream.anomaly.series.Refusal;
import org.echostream.anomaly.series.SeriesState;
import org.echostream.anomaly.series.SeriesStateCodec;
import org.echostream.anomaly.series.SeriesTracker;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DeadLetters;
import org.echostream.contracts.kafka.DecodeResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds each latents record to the {@link SeriesTracker} with the series' state from the store, publishes
 * what it emits, and sends every record it cannot use to the dead-letter topic with the reason. Values
 * arrive as bytes and are decoded here, so a poison record becomes a dead letter with its topic, partition
 * and offset rather than a deserialisation failure. A wall-clock punctuator closes idle series.
 */
final class SeriesProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(SeriesProcessor.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);

    private final AnomalyTopology.Settings settings;
    private final ModelCalibration calibration;
    private final SeriesTracker tracker;
    private final LatentsCheck check;
    private final Clock clock;
    private final AnomalyMetrics metrics;
    private final DeadLetters deadLetters;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> seriesStore;
    private KeyValueStore<String, ClipLatents> clipBuffer;
    /** After a restart, every series gets a full idle timeout again before it is closed: the backlog comes first. */
    private Instant startedAt;

    SeriesProcessor(AnomalyTopology.Settings settings, ModelCalibration calibration, SeriesTracker tracker, Clock clock,
                    AnomalyMetrics metrics) {
        this.settings = settings;
        this.calibration = calibration;
        this.tracker = tracker;
        this.check = calibration instanceof ModelCalibration.Calibrated c ? new LatentsCheck(c.release()) : null;
        this.clock = clock;
        this.metrics = metrics;
        this.deadLetters = new DeadLetters(AnomalyTopology.SERVICE, clock);
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.seriesStore = context.getStateStore(AnomalyTopology.SERIES_STORE);
        this.clipBuffer = context.getStateStore(AnomalyTopology.CLIP_BUFFER_STORE);
        this.startedAt = clock.instant();
        if (tracker != null) {
            context.schedule(settings.idleCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeIdleSeries);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (calibration instanceof ModelCalibration.NotCalibrated notCalibrated) {
            deadLetter(record, null, new Refusal(Refusal.MODEL_NOT_CALIBRATED, notCalibrated.reason()));
            return;
        }
        DecodeResult<ClipLatents> decoded = DecodeResult.decode(LATENTS, record.value());
        if (decoded instanceof DecodeResult.Poison<ClipLatents> poison) {
            deadLetter(record, null, new Refusal(poison.reasonCode(), poison.reasonDetail()));
            return;
        }
        ClipLatents clip = ((DecodeResult.Decoded<ClipLatents>) decoded).value();
        Optional<Refusal> refusal = check.check(record.key(), clip);
        if (refusal.isPresent()) {
            deadLetter(record, clip, refusal.get());
            return;
        }

        Instant now = clock.instant();
        StagedTensors tensors = new StagedTensors(clipBuffer);
        ClipOutcome outcome;
        byte[] newState = null;
        try {
            byte[] stored = seriesStore.get(record.key());
            outcome = tracker.onClip(stored == null ? null : SeriesStateCodec.decode(stored), clip, now, tensors);
            if (outcome instanceof ClipOutcome.Accepted accepted) {
                newState = SeriesStateCodec.encode(accepted.state());
            }
        } catch (RuntimeException e) {
            // A bug or a state this version cannot read must cost this record, not the service.
            LOG.error("series {} loop {} clip {}: scoring failed, record skipped", record.key(),
                    clip.getRef().getSopInstanceUid(), clip.getRef().getClipIndex(), e);
            deadLetter(record, clip, new Refusal(Refusal.PROCESSING_ERROR, "series " + record.key() + " loop "
                    + clip.getRef().getSopInstanceUid() + " clip " + clip.getRef().getClipIndex() + ": " + e));
            return;
        }

        if (outcome instanceof ClipOutcome.Accepted accepted) {
            seriesStore.put(record.key(), newState);
            tensors.commit();
            publish(accepted.emissions(), record.timestamp());
            metrics.gaps(accepted.gaps());
            metrics.lateClips(accepted.lateClips());
        } else if (outcome instanceof ClipOutcome.Duplicate duplicate) {
            LOG.info("{}; ignored", duplicate.detail());
            metrics.duplicateClip();
        } else if (outcome instanceof ClipOutcome.Refused refused) {
            deadLetter(record, clip, refused.refusal());
        }
    }

    private void closeIdleSeries(long wallClockMillis) {
        Instant now = clock.instant();
        List<KeyValue<String, SeriesState>> idle = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> all = seriesStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                SeriesState state;
                try {
                    state = SeriesStateCodec.decode(entry.value);
                } catch (IllegalStateException e) {
                    LOG.error("series {}: stored state unreadable, left as it is: {}", entry.key, e.getMessage());
                    continue;
                }
                if (tracker.idle(state, now, startedAt)) {
                    idle.add(KeyValue.pair(entry.key, state));
                } else if (state.closed() && now.toEpochMilli() - state.lastActivityMillis() >= settings.closedRetention().toMillis()) {
                    expired.add(entry.key);
                }
            }
        }
        for (KeyValue<String, SeriesState> series : idle) {
            StagedTensors tensors = new StagedTensors(clipBuffer);
            SeriesTracker.Closing closing;
            byte[] closedState;
            try {
                closing = tracker.close(series.value, now, tensors);
                closedState = SeriesStateCodec.encode(series.value);
            } catch (RuntimeException e) {
                LOG.error("series {}: closing the idle series failed; it stays open and is retried", series.key, e);
                continue;
            }
            seriesStore.put(series.key, closedState);
            tensors.commit();
            publish(closing.emissions(), now.toEpochMilli());
            metrics.gaps(closing.gaps());
            metrics.seriesClosed();
            LOG.info("series {} closed after {} idle: {} clips scored, {} events", series.key, tracker.idleTimeout(),
                    series.value.scoredClips(), series.value.eventCount());
        }
        expired.forEach(seriesStore::delete);
    }

    private void publish(List<Emission> emissions, long timestamp) {
        for (Emission emission : emissions) {
            String key = emission.seriesInstanceUid();
            if (emission instanceof Emission.ClipScored scored) {
                context.forward(new Record<>(key, scored.value(), timestamp), AnomalyTopology.SURPRISE_SINK);
                metrics.clipScored();
            } else if (emission instanceof Emission.EventRaised event) {
                context.forward(new Record<>(key, event.value(), timestamp), AnomalyTopology.EVENTS_SINK);
                metrics.eventRaised();
                LOG.info("anomaly event {} in series {}: clips {}..{}, {}..{} s, peak score {}, token rows {}..{} cols {}..{}",
                        event.value().getEventId(), key, event.value().getFirstClipIndex(), event.value().getLastClipIndex(),
                        event.value().getStartSeconds(), event.value().getEndSeconds(), event.value().getPeakScore(),
                        event.value().getRegion().getRowStart(), event.value().getRegion().getRowEnd(),
                        event.value().getRegion().getColStart(), event.value().getRegion().getColEnd());
            } else if (emission instanceof Emission.SummaryUpdated summary) {
                context.forward(new Record<>(key, summary.value(), timestamp), AnomalyTopology.SUMMARIES_SINK);
            }
        }
    }

    private void deadLetter(Record<String, byte[]> record, ClipLatents clip, Refusal refusal) {
        Optional<RecordMetadata> source = context.recordMetadata();
        ConsumerRecord<byte[], byte[]> consumed = new ConsumerRecord<>(
                source.map(RecordMetadata::topic).orElse(settings.topics().latents()),
                source.map(RecordMetadata::partition).orElse(-1), source.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
        DeadLetter letter = deadLetters.forRecord(consumed, refusal.reasonCode(), refusal.detail());
        if (clip != null) {
            letter = DeadLetter.newBuilder(letter).setSopInstanceUid(clip.getRef().getSopInstanceUid()).build();
        }
        String key = deadLetters.toProducerRecord(letter).key();
        context.forward(new Record<>(key, letter, record.timestamp()), AnomalyTopology.DEAD_LETTER_SINK);
        metrics.deadLetter(refusal.reasonCode());
        LOG.warn("dead letter {}: {}", refusal.reasonCode(), letter.getReasonDetail());
    }
}
