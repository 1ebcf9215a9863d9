package org.echostream.contracts.kafka;

import java.util.HashMap;
import java.util.Map;

/**
 * How every service's Kafka clients reach the brokers: the connection settings the operator gives once for all
 * clients (Quarkus gathers {@code kafka.*}, i.e. {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SSL_*}, into its
 * {@code default-kafka-broker} map), under each client's own settings. Only connection settings are taken: a tuning
 * key meant for one kind of client (linger, fetch sizes) stays that client's decision.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /** Whether a client setting says how to connect: where, over which protocol, with which TLS or SASL material. */
    public static boolean isConnectionSetting(String key) {
        return key.equals("bootstrap.servers") || key.equals("security.protocol") || key.startsWith("ssl.") || key.startsWith("sasl.");
    }

    /**
     * @param connection every {@code kafka.*} setting without its prefix (non-connection ones are ignored)
     * @param own        the client's own settings, which win
     * @return a new mutable map
     */
    public static Map<String, Object> with(Map<String, ?> connection, Map<String, Object> own) {
        Map<String, Object> out = new HashMap<>();
        connection.forEach((key, value) -> {
            if (isConnectionSetting(key) && value != null) {
                out.put(key, value);
            }
        });
        out.putAll(own);
        return out;
    }
}
