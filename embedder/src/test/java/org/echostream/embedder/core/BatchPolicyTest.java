package org.echostream.embedder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchPolicyTest {

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private final BatchPolicy policy = new BatchPolicy(4, Duration.ofMillis(50), 12);

    @Test
    void runs_a_full_batch_at_once() {
        assertThat(policy.isDue(4, T0, T0)).isTrue();
        assertThat(policy.isDue(9, T0, T0)).isTrue();
    }

    @Test
    void holds_a_partial_batch_until_its_oldest_clip_has_waited_the_max_wait() {
        assertThat(policy.isDue(3, T0, T0.plusMillis(49))).isFalse();
        assertThat(policy.isDue(3, T0, T0.plusMillis(50))).isTrue();
        assertThat(policy.isDue(1, T0, T0.plusSeconds(5))).isTrue();
    }

    @Test
    void never_runs_an_empty_batch() {
        assertThat(policy.isDue(0, Instant.MAX, T0.plusSeconds(60))).isFalse();
    }

    @Test
    void polls_only_until_the_oldest_clip_is_due_and_idles_with_a_bounded_poll() {
        assertThat(policy.pollTimeout(2, T0, T0.plusMillis(20))).isEqualTo(Duration.ofMillis(30));
        assertThat(policy.pollTimeout(2, T0, T0.plusMillis(80))).isEqualTo(Duration.ZERO);
        assertThat(policy.pollTimeout(0, Instant.MAX, T0)).isEqualTo(BatchPolicy.IDLE_POLL);
    }

    @Test
    void pauses_consumption_once_the_buffer_is_full() {
        assertThat(policy.shouldPause(11)).isFalse();
        assertThat(policy.shouldPause(12)).isTrue();
    }

    @Test
    void refuses_a_buffer_smaller_than_one_batch() {
        assertThatThrownBy(() -> new BatchPolicy(8, Duration.ofMillis(50), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max buffered clips (4) must hold at least one batch of 8");
    }
}
