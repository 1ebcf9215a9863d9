package org.echostream.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps study completeness in step with the compacted study-status topic: at start it reads the topic to its end
 * (versions, announced counts and releases survive a restart), then it follows what other processes write (a
 * command-line import, another replica) so their provisional studies still become final here. Records this
 * process wrote are recognised by their writer header and passed over.
 */
public final class StudyStatusFollower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StudyStatusFollower.class);
    private static final AvroSerde<StudyStatus> SERDE = AvroSerde.of(StudyStatus.class);

    private final KafkaSettings settings;
    private final StudyCompleteness studies;
    private final String ownWriter;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Map<TopicPartition, Long> restoredTo = Map.of();
    private Thread thread;

    public StudyStatusFollower(KafkaSettings settings, StudyCompleteness studies, String ownWriter) {
        this.settings = settings;
        this.studies = studies;
        this.ownWriter = ownWriter;
    }

    /** Reads the topic to the end offsets it has now. @return the records read */
    public long restore(Duration timeout) {
        long records = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer(null))) {
            List<TopicPartition> partitions = partitions(c, timeout);
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions, timeout);
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the study-status topic did not load within " + timeout.toSeconds() + " s (" + records + " records read)");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    records++;
                    apply(r, false);
                }
            }
            restoredTo = end;
        }
        return records;
    }

    /** Follows new records from where {@link #restore} stopped, on a daemon thread. */
    public void follow() {
        running.set(true);
        thread = new Thread(this::loop, "ingest-study-status");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer(null))) {
            consumer = c;
            List<TopicPartition> partitions = partitions(c, Duration.ofSeconds(60));
            c.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long from = restoredTo.get(tp);
                if (from == null) {
                    c.seekToEnd(List.of(tp));
                } else {
                    c.seek(tp, from);
                }
            }
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    apply(r, true);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException e) {
            LOG.error("study-status follower stopped: {}", e.getMessage());
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r, boolean skipOwn) {
        if (r.value() == null) {
            return; // a tombstone: the study is forgotten on the topic; what we hold is harmless
        }
        Header writer = r.headers().lastHeader(KafkaInstancePublisher.WRITER_HEADER);
        if (skipOwn && writer != null && ownWriter.equals(new String(writer.value(), StandardCharsets.UTF_8))) {
            return;
        }
        if (DecodeResult.decode(SERDE, r.value()) instanceof DecodeResult.Decoded<StudyStatus> decoded) {
            studies.adopt(decoded.value());
        } else {
            LOG.warn("study status {}-{}@{} is unreadable and was passed over", r.topic(), r.partition(), r.offset());
        }
    }

    public boolean isRunning() {
        return thread != null && thread.isAlive();
    }

    private static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, Duration timeout) {
        return c.partitionsFor(Topics.STUDY_STATUS.name(), timeout).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    }

    @Override
    public void close() {
        running.set(false);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
