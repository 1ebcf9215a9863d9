package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerPolicyTest {

    @Test
    void loopback_listeners_accept_any_caller_without_a_list() {
        assertThat(CallerPolicy.allowList("127.0.0.1", Optional.empty(), false)).isEmpty();
        assertThat(CallerPolicy.allowList("::1", Optional.of(List.of()), false)).isEmpty();
    }

    @Test
    void a_listener_facing_the_network_without_an_allow_list_refuses_to_start_and_names_the_keys() {
        assertThatThrownBy(() -> CallerPolicy.allowList("0.0.0.0", Optional.empty(), false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0.0.0.0").hasMessageContaining("ECHOSTREAM_SCP_ALLOWED_CALLING_AE_TITLES")
                .hasMessageContaining("accept-any-calling-ae");
        assertThatThrownBy(() -> CallerPolicy.allowList("0.0.0.0", Optional.of(List.of(" ")), false))
                .as("blank entries are no list").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void an_exposed_listener_serves_its_list_or_any_caller_when_told_so() {
        assertThat(CallerPolicy.allowList("0.0.0.0", Optional.of(List.of("US_ROOM_1", " PACS ")), false))
                .containsExactlyInAnyOrder("US_ROOM_1", "PACS");
        assertThat(CallerPolicy.allowList("0.0.0.0", Optional.empty(), true)).isEmpty();
    }
}
