package org.echostream.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.TopicReplay;
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
        AtomicReference<JobStatus> latest = new AtomicReference<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(null))) {
            TopicReplay.replay(consumer, List.of(Topics.JOB_STATUS.name()), timeout, r -> {
                if (r.key() == null || !jobId.equals(new String(r.key(), StandardCharsets.UTF_8))) {
                    return;
                }
                if (r.value() == null) {
                    latest.set(null);
                } else if (DecodeResult.decode(SERDE, r.value()) instanceof DecodeResult.Decoded<JobStatus> decoded) {
                    latest.set(decoded.value());
                }
            }).requireComplete();
        }
        return Optional.ofNullable(latest.get());
    }
}
