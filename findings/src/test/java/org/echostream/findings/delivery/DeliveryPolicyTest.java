package org.echostream.findings.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final DeliveryPolicy POLICY = new DeliveryPolicy(3, Duration.ofSeconds(10), Duration.ofSeconds(35));

    private static FindingsDelivery last(String version, String destination, DeliveryState state, int attempts) {
        return FindingsDelivery.newBuilder()
                .setStudyInstanceUid("1.2.3").setResultVersion(version).setStudyStatusVersion(1).setDestination(destination)
                .setTransport("DIMSE").setState(state).setSrSopInstanceUid("2.25.1" + version.length()).setKosSopInstanceUid(null)
                .setSupersedesSrSopInstanceUid(state == DeliveryState.DELIVERED ? null : "2.25.99").setSeriesReported(1).setSeriesFlagged(0)
                .setInstancesReferenced(1).setAttempts(attempts).setReasonCode(state == DeliveryState.FAILED ? "STORE_REFUSED" : null)
                .setReasonDetail(null).setNextAttemptAt(state == DeliveryState.RETRYING ? NOW.plusSeconds(5) : null).setUpdatedAt(NOW)
                .build();
    }

    @Test
    void sends_a_result_never_delivered_before() {
        assertThat(POLICY.decide("v1", "pacs", Optional.empty(), NOW)).isEqualTo(new Decision.Send(1, Optional.empty()));
    }

    @Test
    void never_sends_a_delivered_result_version_again() {
        assertThat(POLICY.decide("v1", "pacs", Optional.of(last("v1", "pacs", DeliveryState.DELIVERED, 1)), NOW))
                .isEqualTo(new Decision.AlreadyDelivered());
    }

    @Test
    void does_not_retry_a_failed_result_version() {
        assertThat(POLICY.decide("v1", "pacs", Optional.of(last("v1", "pacs", DeliveryState.FAILED, 1)), NOW))
                .isEqualTo(new Decision.GaveUp("STORE_REFUSED"));
    }

    @Test
    void waits_out_the_back_off_then_tries_again() {
        FindingsDelivery retrying = last("v1", "pacs", DeliveryState.RETRYING, 2);

        assertThat(POLICY.decide("v1", "pacs", Optional.of(retrying), NOW)).isEqualTo(new Decision.RetryAt(NOW.plusSeconds(5)));
        assertThat(POLICY.decide("v1", "pacs", Optional.of(retrying), NOW.plusSeconds(5)))
                .isEqualTo(new Decision.Send(3, Optional.of("2.25.99")));
    }

    @Test
    void resends_after_an_attempt_that_never_recorded_an_outcome() {
        assertThat(POLICY.decide("v1", "pacs", Optional.of(last("v1", "pacs", DeliveryState.SENDING, 1)), NOW))
                .isEqualTo(new Decision.Send(2, Optional.of("2.25.99")));
    }

    @Test
    void gives_up_when_every_allowed_attempt_began_without_an_outcome() {
        assertThat(POLICY.decide("v1", "pacs", Optional.of(last("v1", "pacs", DeliveryState.SENDING, 3)), NOW))
                .isEqualTo(new Decision.Exhausted(3));
    }

    @Test
    void a_new_result_version_replaces_the_delivered_one() {
        FindingsDelivery delivered = last("v1", "pacs", DeliveryState.DELIVERED, 1);

        assertThat(POLICY.decide("v2", "pacs", Optional.of(delivered), NOW))
                .isEqualTo(new Decision.Send(1, Optional.of(delivered.getSrSopInstanceUid())));
    }

    @Test
    void a_new_result_version_abandons_an_undelivered_one_and_keeps_what_it_replaced() {
        assertThat(POLICY.decide("v2", "pacs", Optional.of(last("v1", "pacs", DeliveryState.FAILED, 3)), NOW))
                .isEqualTo(new Decision.Send(1, Optional.of("2.25.99")));
    }

    @Test
    void a_new_destination_gets_every_result_without_predecessors() {
        assertThat(POLICY.decide("v1", "archive", Optional.of(last("v1", "pacs", DeliveryState.DELIVERED, 1)), NOW))
                .isEqualTo(new Decision.Send(1, Optional.empty()));
    }

    @Test
    void backs_off_exponentially_up_to_the_cap() {
        assertThat(POLICY.nextAttemptAt(1, NOW)).isEqualTo(NOW.plusSeconds(10));
        assertThat(POLICY.nextAttemptAt(2, NOW)).isEqualTo(NOW.plusSeconds(20));
        assertThat(POLICY.nextAttemptAt(3, NOW)).isEqualTo(NOW.plusSeconds(35));
        assertThat(POLICY.nextAttemptAt(60, NOW)).isEqualTo(NOW.plusSeconds(35));
    }
}
