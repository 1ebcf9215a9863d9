package org.echostream.embedder.stream;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.echostream.embedder.core.BatchPolicy;

/**
 * Where the embed loop reads and writes, and as whom.
 *
 * @param bootstrapServers   Kafka bootstrap servers
 * @param clipsTopic         input topic ({@code Clip} values)
 * @param latentsTopic       output topic ({@code ClipLatents} values)
 * @param groupId            consumer group shared by every embedder instance
 * @param transactionalId    unique per instance and stable across its restarts, so that a restarted
 *                           instance aborts what its previous life left open and fences it
 * @param transactionTimeout how long the broker waits for an open transaction of a silent instance
 * @param maxRecordBytes     largest latents record sent; larger outputs are dead-lettered instead
 * @param policy             batching and backpressure
 * @param clientOverrides    extra consumer/producer properties (tests, tuning); applied to both clients
 */
public record LoopSettings(String bootstrapServers, String clipsTopic, String latentsTopic, String groupId,
                           String transactionalId, Duration transactionTimeout, int maxRecordBytes, BatchPolicy policy,
                           Map<String, Object> clientOverrides) {

    public LoopSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(clipsTopic, "clipsTopic");
        Objects.requireNonNull(latentsTopic, "latentsTopic");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(transactionalId, "transactionalId");
        Objects.requireNonNull(policy, "policy");
        clientOverrides = Map.copyOf(clientOverrides);
    }
}
