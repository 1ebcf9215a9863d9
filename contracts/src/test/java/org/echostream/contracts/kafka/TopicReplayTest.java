package org.echostream.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopicReplayTest {

    static final String TOPIC = "echostream.test.v1";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    final MockConsumer<String, String> consumer = new MockConsumer<>("earliest");

    TopicReplayTest() {
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null), new PartitionInfo(TOPIC, 1, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    @Test
    void reads_every_partition_from_its_start_to_the_end_it_had_when_the_replay_began() {
        consumer.updateEndOffsets(Map.of(P0, 2L, P1, 1L));
        consumer.schedulePollTask(() -> {
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "a", "1"));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, "b", "2"));
        });
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 1, "a", "3")));
        List<String> seen = new ArrayList<>();

        TopicReplay.Outcome outcome = TopicReplay.replay(consumer, List.of(TOPIC), Duration.ofSeconds(30), r -> seen.add(r.key() + "=" + r.value()));

        assertThat(outcome).isEqualTo(new TopicReplay.Outcome.Complete(3));
        assertThat(seen).containsExactlyInAnyOrder("a=1", "b=2", "a=3");
    }

    @Test
    void an_empty_topic_is_complete_without_a_poll() {
        consumer.updateEndOffsets(Map.of(P0, 0L, P1, 0L));
        assertThat(TopicReplay.replay(consumer, List.of(TOPIC), Duration.ofSeconds(30), r -> { }).requireComplete()).isZero();
    }

    @Test
    void a_partition_that_never_reaches_its_end_is_named_when_the_timeout_passes() {
        consumer.updateEndOffsets(Map.of(P0, 1L, P1, 5L));
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 0, "a", "1")));

        TopicReplay.Outcome outcome = TopicReplay.replay(consumer, List.of(TOPIC), Duration.ofMillis(300), r -> { });

        assertThat(outcome).isInstanceOf(TopicReplay.Outcome.Incomplete.class);
        assertThat(outcome.records()).isEqualTo(1);
        assertThatThrownBy(outcome::requireComplete).hasMessageContaining(TOPIC + "-1 was read to offset 0 of 5");
    }
}
