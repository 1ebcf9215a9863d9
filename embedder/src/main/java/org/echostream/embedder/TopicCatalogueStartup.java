package org.echostream.embedder;

import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The local admin step: the topic catalogue exists before this service reads or writes a topic. */
@Singleton
class TopicCatalogueStartup {

    /** Before {@link EmbedderService} starts its loop (observers with lower priority values run first). */
    static final int PRIORITY = 10;

    void onStart(@Observes @Priority(PRIORITY) StartupEvent event, EmbedderConfig config,
                 @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) throws InterruptedException {
        if (config.kafka().createTopics()) {
            TopicCatalogueAdmin.ensureCatalogue(bootstrapServers, config.kafka().replicationFactor());
        }
    }
}
