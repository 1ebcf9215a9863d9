package org.echostream.contracts.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local admin step: creates every catalogue topic that is missing, with its partitions and configs.
 * Existing topics are left alone (a partition count is never changed behind a running consumer group:
 * it would move series to other partitions); a mismatch is reported.
 */
public final class TopicCatalogueAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(TopicCatalogueAdmin.class);
    private static final long TIMEOUT_SECONDS = 60;

    private final Admin admin;
    private final short replicationFactor;

    public TopicCatalogueAdmin(Admin admin, short replicationFactor) {
        this.admin = admin;
        this.replicationFactor = replicationFactor;
    }

    /**
     * Convenience for a service's start-up: connects to {@code bootstrapServers}, ensures the whole catalogue
     * and disconnects.
     */
    public static Report ensureCatalogue(String bootstrapServers, short replicationFactor) throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000"))) {
            return new TopicCatalogueAdmin(admin, replicationFactor).ensure(Topics.all());
        }
    }

    /** What {@link #ensure} found and did. */
    public record Report(List<String> created, List<String> existing, List<String> mismatches) {
    }

    public Report ensure(Collection<Topic<?, ?>> topics) throws InterruptedException {
        try {
            Set<String> present = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            List<String> created = new ArrayList<>();
            List<String> existing = new ArrayList<>();
            List<NewTopic> toCreate = new ArrayList<>();
            for (Topic<?, ?> topic : topics) {
                if (present.contains(topic.name())) {
                    existing.add(topic.name());
                } else {
                    toCreate.add(new NewTopic(topic.name(), topic.partitions(), replicationFactor).configs(topic.configs()));
                }
            }
            for (var entry : admin.createTopics(toCreate).values().entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    existing.add(entry.getKey()); // created concurrently by another service's admin step
                }
            }
            List<String> mismatches = checkPartitions(topics, existing);
            LOG.info("topic catalogue: {} created, {} already present, {} mismatched", created.size(), existing.size(), mismatches.size());
            mismatches.forEach(m -> LOG.warn("topic catalogue mismatch: {}", m));
            return new Report(List.copyOf(created), List.copyOf(existing), List.copyOf(mismatches));
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the topic catalogue on the broker: " + e.getMessage(), e);
        }
    }

    private List<String> checkPartitions(Collection<Topic<?, ?>> topics, List<String> existing)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (existing.isEmpty()) {
            return List.of();
        }
        Map<String, TopicDescription> described = admin.describeTopics(existing).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        List<String> mismatches = new ArrayList<>();
        for (Topic<?, ?> topic : topics) {
            TopicDescription description = described.get(topic.name());
            if (description != null && description.partitions().size() != topic.partitions()) {
                mismatches.add(topic.name() + " has " + description.partitions().size() + " partitions, the catalogue says " + topic.partitions());
            }
        }
        return mismatches;
    }
}
