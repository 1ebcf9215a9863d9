package org.echostream.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientSettingsTest {

    @Test
    void takes_the_connection_settings_and_leaves_the_clients_own_settings_to_it() {
        Map<String, Object> merged = KafkaClientSettings.with(
                Map.of("bootstrap.servers", "broker:9093", "security.protocol", "SSL", "ssl.keystore.location", "/k/user.p12",
                        "sasl.mechanism", "SCRAM-SHA-512", "linger.ms", "100", "acks", "1"),
                Map.of("acks", "all", "bootstrap.servers", "own:9092"));

        assertThat(merged).containsEntry("security.protocol", "SSL").containsEntry("ssl.keystore.location", "/k/user.p12")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("acks", "all").containsEntry("bootstrap.servers", "own:9092")
                .doesNotContainKey("linger.ms");
    }
}
