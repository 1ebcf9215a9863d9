package org.echostream.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThrottleTest {

    /** A clock that only moves when the throttle sleeps. */
    private static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void spaces_items_at_the_configured_rate() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        Throttle throttle = new Throttle(4, clock, d -> {
            waits.add(d);
            clock.now = clock.now.plus(d);
        });
        for (int i = 0; i < 5; i++) {
            throttle.acquire();
        }
        assertThat(waits).containsExactly(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(250));
    }

    @Test
    void does_not_wait_when_items_come_slower_than_the_rate() throws Exception {
        ManualClock clock = new ManualClock();
        List<Duration> waits = new ArrayList<>();
        Throttle throttle = new Throttle(4, clock, waits::add);
        throttle.acquire();
        clock.now = clock.now.plusSeconds(1);
        throttle.acquire();
        assertThat(waits).isEmpty();
    }

    @Test
    void zero_means_no_limit() throws Exception {
        List<Duration> waits = new ArrayList<>();
        Throttle throttle = new Throttle(0, new ManualClock(), waits::add);
        throttle.acquire();
        throttle.acquire();
        assertThat(waits).isEmpty();
    }
}
