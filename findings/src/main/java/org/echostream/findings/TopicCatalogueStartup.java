package org.echostream.findings;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The local admin step: the topic catalogue exists before this service reads or writes a topic. */
@Singleton
class TopicCatalogueStartup {

    void onStart(@Observes StartupEvent event, FindingsConfig config,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) throws InterruptedException {
        if (config.kafka().createTopics()) {
            TopicCatalogueAdmin.ensureCatalogue(bootstrapServers, config.kafka().replicationFactor());
        }
    }
}
