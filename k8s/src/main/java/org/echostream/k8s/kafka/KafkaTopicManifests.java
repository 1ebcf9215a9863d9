package org.echostream.k8s.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.echostream.contracts.kafka.Topic;

/**
 * Renders the topic catalogue as Strimzi {@code KafkaTopic} resources: one per topic, named as the topic
 * (catalogue names are valid Kubernetes names), with the catalogue's partitions and configs and
 * {@link StrimziCluster#TOPIC_REPLICAS} replicas. The Topic Operator then owns the topics on the cluster.
 */
public final class KafkaTopicManifests {

    static final String HEADER = """
            Generated from the topic catalogue (contracts: org.echostream.contracts.kafka.Topics) by
            org.echostream.k8s.kafka.GeneratedManifests; do not edit. KafkaTopicManifestsTest fails when this file
            and the catalogue differ: regenerate with
              .tools/apache-maven-3.9.16/bin/mvn -B -pl k8s -am verify -Dechostream.writeGeneratedManifests=true""";

    private KafkaTopicManifests() {
    }

    public static String render(List<Topic<?, ?>> topics) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Topic<?, ?> topic : topics) {
            documents.add(kafkaTopic(topic));
        }
        return ManifestYaml.write(HEADER, documents);
    }

    private static Map<String, Object> kafkaTopic(Topic<?, ?> topic) {
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put(StrimziCluster.CLUSTER_LABEL, StrimziCluster.NAME);
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("echostream.org/description", topic.description());
        annotations.put("echostream.org/patient-data", String.valueOf(topic.patientData()));
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", topic.name());
        metadata.put("labels", labels);
        metadata.put("annotations", annotations);

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("topicName", topic.name());
        spec.put("partitions", topic.partitions());
        spec.put("replicas", StrimziCluster.TOPIC_REPLICAS);
        spec.put("config", new TreeMap<>(topic.configs()));

        Map<String, Object> kafkaTopic = new LinkedHashMap<>();
        kafkaTopic.put("apiVersion", "kafka.strimzi.io/v1");
        kafkaTopic.put("kind", "KafkaTopic");
        kafkaTopic.put("metadata", metadata);
        kafkaTopic.put("spec", spec);
        return kafkaTopic;
    }
}
