package org.echostream.contracts.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads topics from their earliest retained offset up to the end offsets they had when the replay began (for a
 * {@code read_committed} consumer: the last stable offset, the end of what is committed), handing every record to
 * a callback in partition order. Records appended after the start are not waited for. The one "read the whole
 * topic" loop for services (ledgers, cursors), tools and tests.
 */
public final class TopicReplay {

    /** How long one poll waits; the replay as a whole is bounded by its timeout. */
    private static final Duration POLL = Duration.ofMillis(250);

    /** How far a replay got. */
    public sealed interface Outcome {
        long records();

        /** @return the records read, or throws naming the partition that was not read to its end */
        default long requireComplete() {
            if (this instanceof Incomplete incomplete) {
                throw new IllegalStateException(incomplete.reason());
            }
            return records();
        }

        /** Every partition was read to the end offset it had at the start. */
        record Complete(long records) implements Outcome {
        }

        /** @param reason names a partition, how far it was read and its end, and the timeout */
        record Incomplete(long records, String reason) implements Outcome {
        }
    }

    private TopicReplay() {
    }

    /**
     * @param consumer a consumer of its caller's configuration (isolation level, deserializers), not subscribed; it is
     *                 assigned every partition of {@code topics}
     * @param timeout  bound on the whole replay, metadata included
     */
    public static <K, V> Outcome replay(org.apache.kafka.clients.consumer.Consumer<K, V> consumer, Collection<String> topics,
                                        Duration timeout, Consumer<ConsumerRecord<K, V>> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, timeout).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        long records = 0;
        while (true) {
            TopicPartition behind = firstBehind(consumer, partitions, end, timeout);
            if (behind == null) {
                return new Outcome.Complete(records);
            }
            if (System.nanoTime() > deadline) {
                return new Outcome.Incomplete(records, String.format("%s was read to offset %,d of %,d when the %d s replay timeout "
                        + "passed (%,d records read)", behind, consumer.position(behind, timeout), end.get(behind), timeout.toSeconds(),
                        records));
            }
            for (ConsumerRecord<K, V> record : consumer.poll(POLL)) {
                records++;
                each.accept(record);
            }
        }
    }

    private static TopicPartition firstBehind(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, List<TopicPartition> partitions,
                                              Map<TopicPartition, Long> end, Duration timeout) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition, timeout) < end.get(partition)) {
                return partition;
            }
        }
        return null;
    }
}
