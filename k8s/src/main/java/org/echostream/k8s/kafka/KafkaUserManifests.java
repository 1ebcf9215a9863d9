package org.echostream.k8s.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.echostream.contracts.kafka.Topic;

/**
 * Renders one Strimzi {@code KafkaUser} per service from {@link ServiceAccess}: mutual-TLS authentication and
 * simple-authorizer ACLs for exactly the topics, group, transactional ids and (for Kafka Streams) internal
 * topics the service uses. The User Operator turns each into a Secret of the same name holding the client
 * certificate, which the service mounts.
 */
public final class KafkaUserManifests {

    /** KafkaUser (and so Secret) KEDA's Kafka scaler authenticates with to read consumer lag. */
    public static final String LAG_READER = "echostream-lag-reader";

    static final String HEADER = """
            Generated from org.echostream.k8s.kafka.ServiceAccess (the data flow of docs/architecture.md) by
            org.echostream.k8s.kafka.GeneratedManifests; do not edit. KafkaUserManifestsTest fails when this file
            and the access table differ: regenerate with
              .tools/apache-maven-3.9.16/bin/mvn -B -pl k8s -am verify -Dechostream.writeGeneratedManifests=true""";

    private KafkaUserManifests() {
    }

    public static String renderServices(List<ServiceAccess> services) {
        List<Map<String, Object>> documents = new ArrayList<>();
        for (ServiceAccess service : services) {
            documents.add(kafkaUser(service.kafkaName(), "the " + service.service() + " service", serviceAcls(service)));
        }
        return ManifestYaml.write(HEADER, documents);
    }

    /** The read-only user KEDA uses: Describe on the input topics and the consumer groups it measures. */
    public static String renderLagReader(List<ServiceAccess> scaledOnLag) {
        List<Map<String, Object>> acls = new ArrayList<>();
        for (ServiceAccess service : scaledOnLag) {
            for (Topic<?, ?> topic : service.reads()) {
                acls.add(acl("topic", topic.name(), "literal", List.of("Describe")));
            }
            acls.add(acl("group", service.kafkaName(), "literal", List.of("Describe")));
        }
        return ManifestYaml.write(HEADER, List.of(kafkaUser(LAG_READER, "KEDA's Kafka lag scaler (read-only)", acls)));
    }

    static List<Map<String, Object>> serviceAcls(ServiceAccess service) {
        List<Map<String, Object>> acls = new ArrayList<>();
        Set<String> readNames = names(service.reads());
        Set<String> writeNames = names(service.writes());
        for (String topic : service.topicNames()) {
            List<String> operations = new ArrayList<>(List.of("Describe"));
            if (readNames.contains(topic)) {
                operations.add("Read");
            }
            if (writeNames.contains(topic)) {
                operations.add("Write");
            }
            acls.add(acl("topic", topic, "literal", operations));
        }
        if (!service.reads().isEmpty()) {
            acls.add(acl("group", service.kafkaName(), "prefix", List.of("Describe", "Read")));
        }
        if (service.transactional()) {
            acls.add(acl("transactionalId", service.kafkaName(), "prefix", List.of("Describe", "Write")));
        }
        if (service.streamsApp()) {
            // Kafka Streams creates, reads, writes and purges its changelog and repartition topics itself, all
            // named <application.id>-...; the Topic Operator leaves topics without a KafkaTopic alone.
            acls.add(acl("topic", service.kafkaName(), "prefix",
                    List.of("Create", "Delete", "Describe", "DescribeConfigs", "Read", "Write")));
        }
        return acls;
    }

    private static Set<String> names(List<Topic<?, ?>> topics) {
        Set<String> names = new TreeSet<>();
        topics.forEach(t -> names.add(t.name()));
        return names;
    }

    private static Map<String, Object> acl(String type, String name, String patternType, List<String> operations) {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("type", type);
        resource.put("name", name);
        resource.put("patternType", patternType);
        Map<String, Object> acl = new LinkedHashMap<>();
        acl.put("resource", resource);
        acl.put("operations", List.copyOf(operations));
        return acl;
    }

    private static Map<String, Object> kafkaUser(String name, String purpose, List<Map<String, Object>> acls) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        metadata.put("labels", Map.of(StrimziCluster.CLUSTER_LABEL, StrimziCluster.NAME));
        metadata.put("annotations", Map.of("echostream.org/purpose", purpose));
        Map<String, Object> authorization = new LinkedHashMap<>();
        authorization.put("type", "simple");
        authorization.put("acls", acls);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("authentication", Map.of("type", "tls"));
        spec.put("authorization", authorization);
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("apiVersion", "kafka.strimzi.io/v1");
        user.put("kind", "KafkaUser");
        user.put("metadata", metadata);
        user.put("spec", spec);
        return user;
    }
}
