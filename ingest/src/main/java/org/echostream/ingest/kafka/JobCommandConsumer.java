package org.echostream.ingest.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.DecodeResult;
import org.echostream.contracts.kafka.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads batch job commands and runs them one at a time. While a job runs, its partition is paused and the
 * consumer keeps polling (so it stays in its group however long the import takes); the command's offset is
 * committed when the job has ended. A command that cannot be read goes to the dead-letter topic and is
 * skipped. If ingest stops mid-job, the command is read again at the next start and the import resumes.
 */
public final class JobCommandConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JobCommandConsumer.class);
    private static final AvroSerde<JobCommand> SERDE = AvroSerde.of(JobCommand.class);

    /** Runs one job to its end (or until cancelled). */
    public interface Job {
        void run(JobCommand command, java.util.function.BooleanSupplier cancelled) throws InterruptedException;
    }

    private final KafkaSettings settings;
    private final String groupId;
    private final JobStatusPublisher status;
    private final Job job;
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> new Thread(r, "ingest-import-job"));
    private Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    public JobCommandConsumer(KafkaSettings settings, String groupId, JobStatusPublisher status, Job job) {
        this.settings = settings;
        this.groupId = groupId;
        this.status = status;
        this.job = job;
    }

    public void start() {
        running.set(true);
        thread = new Thread(this::loop, "ingest-job-commands");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(settings.consumer(groupId))) {
            consumer = c;
            c.subscribe(java.util.List.of(Topics.JOB_COMMANDS.name()));
            Future<?> current = null;
            ConsumerRecord<byte[], byte[]> currentRecord = null;
            while (running.get()) {
                if (current != null && current.isDone()) {
                    commit(c, currentRecord);
                    c.resume(c.assignment());
                    current = null;
                    currentRecord = null;
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (current != null) {
                        c.seek(tp, r.offset()); // fetched before the pause: read again once the job is done
                        break;
                    }
                    DecodeResult<JobCommand> decoded = DecodeResult.decode(SERDE, r.value());
                    if (decoded instanceof DecodeResult.Poison<JobCommand> poison) {
                        LOG.warn("job command {}-{}@{} refused: {} ({})", r.topic(), r.partition(), r.offset(), poison.reasonCode(), poison.reasonDetail());
                        status.deadLetter(r, poison.reasonCode(), poison.reasonDetail());
                        commit(c, r);
                        continue;
                    }
                    JobCommand command = ((DecodeResult.Decoded<JobCommand>) decoded).value();
                    current = jobs.submit(() -> {
                        try {
                            job.run(command, () -> !running.get());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (RuntimeException e) {
                            LOG.error("job {} failed: {}", command.getJobId(), e.toString());
                        }
                    });
                    currentRecord = r;
                    c.pause(c.assignment());
                    c.seek(tp, r.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException e) {
            LOG.error("job command consumer stopped: {}", e.getMessage());
        }
    }

    private static void commit(KafkaConsumer<byte[], byte[]> c, ConsumerRecord<byte[], byte[]> r) {
        c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1)));
    }

    public boolean isRunning() {
        return thread != null && thread.isAlive();
    }

    @Override
    public void close() {
        running.set(false);
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        jobs.shutdownNow();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
