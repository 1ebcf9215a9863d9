package org.echostream.anomaly.topology;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
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
 * and offset rather than a deserialisation failure. A wall-clock punctuator closes idle series and prunes
 * closed ones past their retention; it finds them in the {@link DueIndex}, so a tick reads only the states
 * that are due, however many series the store holds.
 */
final class SeriesProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(SeriesProcessor.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);
    /**
     * Most series one tick closes or prunes: after an outage many come due at once, and a tick must end well
     * inside the transaction timeout; the rest are the next tick's (oldest first).
     */
    static final int MAX_DUE_PER_TICK = 2_000;

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
    private DueIndex dueIndex;
    /** When this task's processor started (after its stores were restored). */
    private Instant startedAt;
    /**
     * When this task first saw a record: after a restart, every series gets a full idle timeout from then before
     * it is closed, so the backlog comes first. The start itself is not enough: the input can stay unreadable
     * for a while after it (a killed predecessor's open transaction keeps the committed offsets unstable until
     * its transaction timeout), and a series closed meanwhile loses the prediction its next clip is scored against.
     */
    private Instant firstRecordAt;

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
        this.dueIndex = new DueIndex(context.getStateStore(AnomalyTopology.DUE_INDEX_STORE));
        this.startedAt = clock.instant();
        if (tracker != null) {
            context.schedule(settings.idleCheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::closeIdleSeries);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (firstRecordAt == null) {
            firstRecordAt = clock.instant();
        }
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
        DueIndex.Due oldDue = null;
        DueIndex.Due newDue = null;
        try {
            byte[] stored = seriesStore.get(record.key());
            SeriesState previous = stored == null ? null : SeriesStateCodec.decode(stored);
            // Before the tracker updates the state in place: the index entry to remove is the old one.
            oldDue = previous == null ? null : due(record.key(), previous);
            outcome = tracker.onClip(previous, clip, now, tensors);
            if (outcome instanceof ClipOutcome.Accepted accepted) {
                newState = SeriesStateCodec.encode(accepted.state());
                newDue = due(record.key(), accepted.state());
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
            dueIndex.move(oldDue, newDue);
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

    /** When the punctuator next has something to do for this series, and what. */
    private DueIndex.Due due(String key, SeriesState state) {
        return state.closed()
                ? new DueIndex.Due(state.lastActivityMillis() + settings.closedRetention().toMillis(), key, DueIndex.CLOSED)
                : new DueIndex.Due(state.lastActivityMillis() + tracker.idleTimeout().toMillis(), key, DueIndex.OPEN);
    }

    private void closeIdleSeries(long wallClockMillis) {
        Instant now = clock.instant();
        if (!dueIndex.built()) {
            buildDueIndex();
        }
        // Until a restart's grace period is over no open series is idle (see SeriesTracker.idle): skip them unread.
        Instant idleFrom = idleCountedFrom();
        boolean graceOver = now.toEpochMilli() - idleFrom.toEpochMilli() >= tracker.idleTimeout().toMillis();
        for (DueIndex.Due due : dueIndex.dueBy(now.toEpochMilli(), MAX_DUE_PER_TICK, graceOver)) {
            byte[] stored = seriesStore.get(due.seriesKey());
            if (stored == null) {
                dueIndex.remove(due);
                continue;
            }
            SeriesState state;
            try {
                state = SeriesStateCodec.decode(stored);
            } catch (IllegalStateException e) {
                // Left in the store as it is for whoever can read it; out of the index, so it is not re-read every tick.
                LOG.error("series {}: stored state unreadable, left as it is and no longer checked for idleness: {}",
                        due.seriesKey(), e.getMessage());
                dueIndex.remove(due);
                continue;
            }
            if (state.closed()) {
                if (now.toEpochMilli() - state.lastActivityMillis() >= settings.closedRetention().toMillis()) {
                    seriesStore.delete(due.seriesKey());
                    dueIndex.remove(due);
                } else {
                    dueIndex.move(due, due(due.seriesKey(), state));
                }
            } else if (tracker.idle(state, now, idleFrom)) {
                closeSeries(due, state, now);
            } else {
                dueIndex.move(due, due(due.seriesKey(), state));
            }
        }
    }

    /**
     * The earliest moment idleness counts from in this task: its first record, or, while none has come, the
     * start plus {@code restartInputWait} (a partition with no backlog still closes its idle series).
     */
    private Instant idleCountedFrom() {
        return firstRecordAt != null ? firstRecordAt : startedAt.plus(settings.restartInputWait());
    }

    private void closeSeries(DueIndex.Due due, SeriesState state, Instant now) {
        StagedTensors tensors = new StagedTensors(clipBuffer);
        SeriesTracker.Closing closing;
        byte[] closedState;
        try {
            closing = tracker.close(state, now, tensors);
            closedState = SeriesStateCodec.encode(state);
        } catch (RuntimeException e) {
            LOG.error("series {}: closing the idle series failed; it stays open and is retried", due.seriesKey(), e);
            return;
        }
        seriesStore.put(due.seriesKey(), closedState);
        dueIndex.move(due, due(due.seriesKey(), state));
        tensors.commit();
        publish(closing.emissions(), now.toEpochMilli());
        metrics.gaps(closing.gaps());
        metrics.seriesClosed();
        LOG.info("series {} closed after {} idle: {} clips scored, {} events", due.seriesKey(), tracker.idleTimeout(),
                state.scoredClips(), state.eventCount());
    }

    /**
     * Once, after an upgrade from a version without the index (its changelog is empty): one pass over every
     * state, the cost the punctuator used to pay on every tick. Unreadable states stay out of the index.
     */
    private void buildDueIndex() {
        int indexed = 0;
        int unreadable = 0;
        try (KeyValueIterator<String, byte[]> all = seriesStore.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                try {
                    dueIndex.move(null, due(entry.key, SeriesStateCodec.decode(entry.value)));
                    indexed++;
                } catch (IllegalStateException e) {
                    LOG.error("series {}: stored state unreadable, left as it is and not indexed: {}", entry.key, e.getMessage());
                    unreadable++;
                }
            }
        }
        dueIndex.markBuilt();
        LOG.info("due index built from the series store: {} series indexed, {} unreadable", indexed, unreadable);
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
