package org.echostream.ingest.stow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientFilterTest {

    @Test
    void allows_any_client_when_none_is_listed() {
        assertThat(ClientFilter.of(List.of()).allows("203.0.113.9")).isTrue();
    }

    @Test
    void allows_addresses_inside_a_cidr_block_and_refuses_those_outside() {
        ClientFilter filter = ClientFilter.of(List.of("10.20.0.0/16", "192.168.1.7"));
        assertThat(filter.allows("10.20.255.1")).isTrue();
        assertThat(filter.allows("10.21.0.1")).isFalse();
        assertThat(filter.allows("192.168.1.7")).isTrue();
        assertThat(filter.allows("192.168.1.8")).isFalse();
    }

    @Test
    void never_resolves_a_host_name_and_refuses_it() {
        assertThat(ClientFilter.of(List.of("127.0.0.0/8")).allows("localhost")).isFalse();
    }

    @Test
    void rejects_an_entry_that_is_not_an_address_with_the_entry_named() {
        assertThatThrownBy(() -> ClientFilter.of(List.of("pacs.hospital"))).hasMessageContaining("'pacs.hospital' is not an IP address");
        assertThatThrownBy(() -> ClientFilter.of(List.of("10.0.0.0/40"))).hasMessageContaining("prefix length outside 0..32");
    }
}
