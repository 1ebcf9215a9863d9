package org.echostream.contracts.kafka;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * One Kafka topic of echostream: its name, how its keys and values are encoded, how it is partitioned
 * and how long it keeps data. Services, tests and the Kubernetes manifests all read these definitions
 * from {@link Topics}; nobody types a topic name twice.
 *
 * @param name        topic name, versioned with its value schema ({@code .v1})
 * @param keySerde    serde for the record key (UIDs as UTF-8 strings throughout)
 * @param valueSerde  serde for the record value
 * @param valueType   the record class carried as value
 * @param partitions  partition count; bounds the parallelism of every consumer group reading it
 * @param configs     topic-level configs (cleanup.policy, retention.ms, max.message.bytes, ...)
 * @param patientData whether values may carry patient identifiers (access must be restricted)
 * @param description one sentence on what the topic holds
 */
public record Topic<K, V>(
        String name,
        Serde<K> keySerde,
        Serde<V> valueSerde,
        Class<V> valueType,
        int partitions,
        Map<String, String> configs,
        boolean patientData,
        String description) {

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
        Objects.requireNonNull(valueType, "valueType");
        if (partitions < 1) {
            throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
        }
        configs = Map.copyOf(configs);
    }

    public boolean compacted() {
        return configs.getOrDefault("cleanup.policy", "delete").contains("compact");
    }

    @Override
    public String toString() {
        return name;
    }
}
