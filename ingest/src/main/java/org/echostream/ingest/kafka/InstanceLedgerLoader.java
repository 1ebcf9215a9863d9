package org.echostream.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.TopicReplay;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.pipeline.InstanceLedger;

/**
 * Fills the ledger from the compacted instances topic: every SOP Instance UID whose latest record is not a
 * rejection. Reads committed records from the beginning to the end offsets seen at the start.
 */
public final class InstanceLedgerLoader {

    private static final AvroSerde<InstanceRecord> SERDE = AvroSerde.of(InstanceRecord.class);

    /** What loading found. */
    public record Loaded(long records, long unreadable) {
    }

    private InstanceLedgerLoader() {
    }

    public static Loaded load(KafkaSettings settings, InstanceLedger ledger, Duration timeout) {
        return load(settings, ledger, timeout, record -> { });
    }

    /** As {@link #load(KafkaSettings, InstanceLedger, Duration)}, also handing every readable record to {@code also} (study completeness). */
    public static Loaded load(KafkaSettings settings, InstanceLedger ledger, Duration timeout, java.util.function.Consumer<InstanceRecord> also) {
        AtomicLong unreadable = new AtomicLong();
        TopicReplay.Outcome outcome;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(null))) {
            outcome = TopicReplay.replay(consumer, List.of(Topics.INSTANCES.name()), timeout, r -> {
                String sop = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                if (sop == null) {
                    unreadable.incrementAndGet();
                } else if (r.value() == null) {
                    ledger.forget(sop);
                } else if (DecodeResult.decode(SERDE, r.value()) instanceof DecodeResult.Decoded<InstanceRecord> decoded) {
                    ledger.record(sop, decoded.value().getVerdict());
                    also.accept(decoded.value());
                } else {
                    unreadable.incrementAndGet();
                }
            });
        }
        if (outcome instanceof TopicReplay.Outcome.Incomplete incomplete) {
            throw new IllegalStateException("the instances ledger did not load: " + incomplete.reason());
        }
        return new Loaded(outcome.records(), unreadable.get());
    }
}
