package org.echostream.k8s.check;

import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.KafkaAuthorizationSimple;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.echostream.contracts.kafka.Topic;
import org.echostream.k8s.kafka.KafkaUserManifests;
import org.echostream.k8s.kafka.ServiceAccess;
import org.echostream.k8s.kafka.StrimziCluster;

/**
 * The Strimzi resources, checked against what the project promises: a KRaft cluster with node pools (no
 * ZooKeeper, no per-cluster replicas or storage), replication 3 and min.insync.replicas 2 including the
 * transaction state log, TLS listeners with certificate clients and simple authorization; every catalogue
 * topic and nothing else as a KafkaTopic, equal to the catalogue; every service's KafkaUser equal to the
 * access table; and clients configured with the bootstrap address of a rendered cluster's TLS listener.
 */
public final class KafkaResources {

    static final Map<String, String> CLUSTER_CONFIG = Map.of(
            "default.replication.factor", String.valueOf(StrimziCluster.TOPIC_REPLICAS),
            "min.insync.replicas", String.valueOf(StrimziCluster.MIN_INSYNC_REPLICAS),
            "offsets.topic.replication.factor", String.valueOf(StrimziCluster.TOPIC_REPLICAS),
            "transaction.state.log.replication.factor", String.valueOf(StrimziCluster.TOPIC_REPLICAS),
            "transaction.state.log.min.isr", String.valueOf(StrimziCluster.MIN_INSYNC_REPLICAS),
            "auto.create.topics.enable", "false");

    /** Environment variables naming the Kafka bootstrap address, for plain clients and for Kafka Streams. */
    static final List<String> BOOTSTRAP_VARIABLES = List.of("KAFKA_BOOTSTRAP_SERVERS", "QUARKUS_KAFKA_STREAMS_BOOTSTRAP_SERVERS");

    private KafkaResources() {
    }

    public static List<Finding> check(RenderedTree tree, List<Topic<?, ?>> catalogue) {
        List<Finding> findings = new ArrayList<>();
        tree.all(Kafka.class).forEach(k -> cluster(tree, k, findings));
        if (!tree.all(Kafka.class).isEmpty()) {
            topics(tree, catalogue, findings);
            users(tree, findings);
        }
        clients(tree, findings);
        return findings;
    }

    private static void cluster(RenderedTree tree, RenderedTree.Typed<Kafka> k, List<Finding> findings) {
        String id = k.manifest().id();
        var spec = k.value().getSpec();
        if (spec.getZookeeper() != null) {
            findings.add(new Finding(id, ".spec.zookeeper", "ZooKeeper is gone: the cluster runs in KRaft mode with node pools"));
        }
        var kafka = spec.getKafka();
        if (kafka.getReplicas() != null || kafka.getStorage() != null) {
            findings.add(new Finding(id, ".spec.kafka", "replicas and storage belong to KafkaNodePools (removed from Kafka in kafka.strimzi.io/v1)"));
        }
        Map<String, Object> config = kafka.getConfig() == null ? Map.of() : kafka.getConfig();
        CLUSTER_CONFIG.forEach((key, expected) -> {
            Object actual = config.get(key);
            if (actual == null || !expected.equals(String.valueOf(actual))) {
                findings.add(new Finding(id, ".spec.kafka.config." + key, "is " + actual + ", must be " + expected));
            }
        });
        if (kafka.getListeners() == null || kafka.getListeners().isEmpty()) {
            findings.add(new Finding(id, ".spec.kafka.listeners", "no listener"));
        } else {
            for (GenericKafkaListener listener : kafka.getListeners()) {
                if (!listener.isTls() || listener.getAuth() == null || !"tls".equals(listener.getAuth().getType())) {
                    findings.add(new Finding(id, ".spec.kafka.listeners[name=" + listener.getName() + "]",
                            "must be TLS with certificate (tls) client authentication: records and client identities never travel in clear"));
                }
            }
        }
        if (!(kafka.getAuthorization() instanceof KafkaAuthorizationSimple)) {
            findings.add(new Finding(id, ".spec.kafka.authorization", "must be simple: the KafkaUsers' ACLs are what limits each service"));
        }
        if (spec.getEntityOperator() == null || spec.getEntityOperator().getTopicOperator() == null
                || spec.getEntityOperator().getUserOperator() == null) {
            findings.add(new Finding(id, ".spec.entityOperator", "needs topicOperator and userOperator: KafkaTopics and KafkaUsers are applied by them"));
        }
        int brokers = 0;
        int controllers = 0;
        for (var pool : tree.all(KafkaNodePool.class)) {
            if (pool.manifest().namespace().equals(k.manifest().namespace())
                    && k.manifest().name().equals(RenderedTree.labels(pool.value().getMetadata()).get(StrimziCluster.CLUSTER_LABEL))) {
                List<ProcessRoles> roles = pool.value().getSpec().getRoles() == null ? List.of() : pool.value().getSpec().getRoles();
                brokers += roles.contains(ProcessRoles.BROKER) ? pool.value().getSpec().getReplicas() : 0;
                controllers += roles.contains(ProcessRoles.CONTROLLER) ? pool.value().getSpec().getReplicas() : 0;
            }
        }
        if (brokers < StrimziCluster.TOPIC_REPLICAS) {
            findings.add(new Finding(id, "", "its node pools have " + brokers + " brokers; replication " + StrimziCluster.TOPIC_REPLICAS + " needs at least that many"));
        }
        if (controllers < 3 || controllers % 2 == 0) {
            findings.add(new Finding(id, "", "its node pools have " + controllers + " controllers; a KRaft quorum needs an odd number, at least 3"));
        }
    }

    private static void topics(RenderedTree tree, List<Topic<?, ?>> catalogue, List<Finding> findings) {
        Map<String, RenderedTree.Typed<KafkaTopic>> rendered = new HashMap<>();
        for (var t : tree.all(KafkaTopic.class)) {
            String name = t.value().getSpec().getTopicName() == null ? t.manifest().name() : t.value().getSpec().getTopicName();
            if (rendered.put(name, t) != null) {
                findings.add(new Finding(t.manifest().id(), ".spec.topicName", "topic " + name + " is rendered twice"));
            }
        }
        for (Topic<?, ?> topic : catalogue) {
            var t = rendered.remove(topic.name());
            if (t == null) {
                findings.add(new Finding("KafkaTopic " + topic.name(), "", "the catalogue has this topic; no KafkaTopic renders it"));
                continue;
            }
            var spec = t.value().getSpec();
            if (!Objects.equals(spec.getPartitions(), topic.partitions())) {
                findings.add(new Finding(t.manifest().id(), ".spec.partitions", "is " + spec.getPartitions() + ", the catalogue says " + topic.partitions()));
            }
            if (!Objects.equals(spec.getReplicas(), StrimziCluster.TOPIC_REPLICAS)) {
                findings.add(new Finding(t.manifest().id(), ".spec.replicas", "is " + spec.getReplicas() + ", must be " + StrimziCluster.TOPIC_REPLICAS));
            }
            Map<String, String> config = new TreeMap<>();
            if (spec.getConfig() != null) {
                spec.getConfig().forEach((key, value) -> config.put(key, String.valueOf(value)));
            }
            if (!config.equals(new TreeMap<>(topic.configs()))) {
                findings.add(new Finding(t.manifest().id(), ".spec.config", "is " + config + ", the catalogue says " + new TreeMap<>(topic.configs())));
            }
        }
        rendered.values().forEach(t -> findings.add(new Finding(t.manifest().id(), "",
                "is not in the topic catalogue (contracts Topics): add it there, the KafkaTopics are generated from it")));
    }

    private static void users(RenderedTree tree, List<Finding> findings) {
        for (ServiceAccess service : ServiceAccess.all()) {
            var expected = expectedUser(service);
            var rendered = tree.all(KafkaUser.class).stream().filter(u -> u.manifest().name().equals(service.kafkaName())).findFirst();
            if (rendered.isEmpty()) {
                findings.add(new Finding("KafkaUser " + service.kafkaName(), "", "the " + service.service() + " service has no KafkaUser"));
            } else if (!Objects.equals(rendered.get().value().getSpec(), expected.getSpec())) {
                findings.add(new Finding(rendered.get().manifest().id(), ".spec",
                        "differs from the access table (ServiceAccess): its ACLs must be exactly what the service reads and writes"));
            }
        }
    }

    private static KafkaUser expectedUser(ServiceAccess service) {
        String yaml = KafkaUserManifests.renderServices(List.of(service));
        var parsed = Schemas.parse(Manifest.parseAll(yaml).get(0));
        if (parsed instanceof Schemas.Typed typed) {
            return (KafkaUser) typed.value();
        }
        throw new IllegalStateException("the generated KafkaUser of " + service.service() + " does not type: " + ((Schemas.Rejected) parsed).findings());
    }

    private static void clients(RenderedTree tree, List<Finding> findings) {
        tree.ownWorkloads().forEach(w -> {
            for (var container : w.pod().getContainers()) {
                Map<String, String> env = tree.environment(w, container);
                for (String variable : BOOTSTRAP_VARIABLES) {
                    String address = env.get(variable);
                    if (address != null && !isTlsBootstrapAddress(tree, w.namespace(), address)) {
                        findings.add(new Finding(w.id(), ".containers[name=" + container.getName() + "].env." + variable,
                                address + " is not the bootstrap address of a TLS listener of a rendered Kafka (<cluster>-kafka-bootstrap:<port>)"));
                    }
                }
            }
        });
    }

    static boolean isTlsBootstrapAddress(RenderedTree tree, String namespace, String address) {
        return tree.all(Kafka.class).stream().filter(k -> k.manifest().namespace().equals(namespace)).anyMatch(k ->
                k.value().getSpec().getKafka().getListeners().stream().anyMatch(l -> l.isTls()
                        && address.equals(k.manifest().name() + "-kafka-bootstrap:" + l.getPort())));
    }
}
