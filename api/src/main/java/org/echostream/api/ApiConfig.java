package org.echostream.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the api service (prefix {@code echostream}); every key is documented in docs/configuration.md. */
@ConfigMapping(prefix = "echostream")
public interface ApiConfig {

    Kafka kafka();

    interface Kafka {
        /** Create missing catalogue topics at start (local single-node runs); off where Strimzi owns the topics. */
        @WithDefault("true")
        boolean createTopics();

        /** Replication factor for topics this service creates (1 on a single local broker). */
        @WithDefault("1")
        short replicationFactor();
    }
}
