package org.echostream.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;

/**
 * The latest status of one job, read from the compacted job-status topic (a resumed backfill continues from its
 * cursor). Reads from the beginning to the end offsets seen at the start; unreadable records are passed over.
 */
public final class JobStatusReader {

    private static final AvroSerde<JobStatus> SERDE = AvroSerde.of(JobStatus.class);

    private JobStatusReader() {
    }

    public static Optional<JobStatus> latest(KafkaSettings settings, String jobId, Duration timeout) {
        JobStatus latest = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(null))) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name(), timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the job-status topic could not be read within " + timeout.toSeconds() + " s");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                    if (r.key() == null || !jobId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        continue;
                    }
                    if (r.value() == null) {
                        latest = null;
                    } else if (DecodeResult.decode(SERDE, r.value()) instanceof DecodeResult.Decoded<JobStatus> decoded) {
                        latest = decoded.value();
                    }
                }
            }
        }
        return Optional.ofNullable(latest);
    }
}
