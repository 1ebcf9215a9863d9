package org.echostream.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
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
        long records = 0;
        long unreadable = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.INSTANCES.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the instances ledger did not load within " + timeout.toSeconds() + " s ("
                            + records + " records read)");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    String sop = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                    if (sop == null) {
                        unreadable++;
                    } else if (r.value() == null) {
                        ledger.forget(sop);
                    } else if (DecodeResult.decode(SERDE, r.value()) instanceof DecodeResult.Decoded<InstanceRecord> decoded) {
                        ledger.record(sop, decoded.value().getVerdict());
                        also.accept(decoded.value());
                    } else {
                        unreadable++;
                    }
                }
            }
        }
        return new Loaded(records, unreadable);
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
