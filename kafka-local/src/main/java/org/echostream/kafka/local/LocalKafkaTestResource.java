package org.echostream.kafka.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: points a {@code @QuarkusTest} at the shared real broker and turns Kafka dev
 * services (which would need a container engine) off.
 */
public final class LocalKafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka-streams.bootstrap-servers", bootstrap,
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void stop() {
        // the shared broker outlives one Quarkus application; its shutdown hook stops it
    }
}
