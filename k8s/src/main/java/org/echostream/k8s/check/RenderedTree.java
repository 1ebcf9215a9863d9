package org.echostream.k8s.check;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.kafka.listener.GenericKafkaListener;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.nodepool.ProcessRoles;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The typed objects of one rendered overlay, with the lookups the checks need: workloads and the pods
 * operators will create, ConfigMaps, PVCs, and the Secrets that operators make for rendered resources.
 */
public final class RenderedTree {

    /** Keys of the Secret Strimzi's User Operator makes for a KafkaUser with TLS authentication. */
    static final Set<String> KAFKA_USER_SECRET_KEYS = Set.of("ca.crt", "user.crt", "user.key", "user.p12", "user.password");
    /** Keys of the cluster CA certificate Secret Strimzi's Cluster Operator makes for each Kafka. */
    static final Set<String> CLUSTER_CA_SECRET_KEYS = Set.of("ca.crt", "ca.p12", "ca.password");
    /** Ports every Strimzi KRaft node listens on besides the listeners: controller quorum, replication. */
    private static final Map<String, Integer> STRIMZI_INTERNAL_PORTS = Map.of("tcp-ctrlplane", 9090, "tcp-replication", 9091);

    private final List<Schemas.Typed> objects;
    private final List<Workload> workloads = new ArrayList<>();
    private final Map<String, Set<String>> operatorSecrets = new HashMap<>();

    public RenderedTree(List<Schemas.Typed> objects) {
        this.objects = List.copyOf(objects);
        for (Schemas.Typed typed : objects) {
            Manifest m = typed.manifest();
            if (typed.value() instanceof Deployment d) {
                PodSpec pod = d.getSpec().getTemplate().getSpec();
                workloads.add(new Workload(m.id(), m.kind(), m.namespace(), m.name(), labels(d.getSpec().getTemplate().getMetadata()),
                        pod, d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(), Set.of(), ports(pod)));
            } else if (typed.value() instanceof StatefulSet s) {
                PodSpec pod = s.getSpec().getTemplate().getSpec();
                Set<String> claims = new java.util.HashSet<>();
                if (s.getSpec().getVolumeClaimTemplates() != null) {
                    s.getSpec().getVolumeClaimTemplates().forEach(t -> claims.add(t.getMetadata().getName()));
                }
                workloads.add(new Workload(m.id(), m.kind(), m.namespace(), m.name(), labels(s.getSpec().getTemplate().getMetadata()),
                        pod, s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas(), Set.copyOf(claims), ports(pod)));
            } else if (typed.value() instanceof Kafka k) {
                operatorSecrets.put(key(m.namespace(), m.name() + "-cluster-ca-cert"), CLUSTER_CA_SECRET_KEYS);
                workloads.add(new Workload("entity operator of " + m.id(), "Kafka", m.namespace(), m.name() + "-entity-operator",
                        Map.of("strimzi.io/cluster", m.name(), "strimzi.io/kind", "Kafka", "strimzi.io/name", m.name() + "-entity-operator"),
                        null, 1, Set.of(), Map.of()));
            } else if (typed.value() instanceof KafkaUser u && u.getSpec() != null && u.getSpec().getAuthentication() != null
                    && u.getSpec().getAuthentication().getType().equals("tls")) {
                operatorSecrets.put(key(m.namespace(), m.name()), KAFKA_USER_SECRET_KEYS);
            }
        }
        // Node pools last: their pods' ports come from the Kafka they belong to.
        for (Schemas.Typed typed : objects) {
            if (typed.value() instanceof KafkaNodePool pool) {
                addNodePoolPods(typed.manifest(), pool);
            }
        }
    }

    private void addNodePoolPods(Manifest m, KafkaNodePool pool) {
        String cluster = labels(pool.getMetadata()).getOrDefault("strimzi.io/cluster", "");
        List<ProcessRoles> roles = pool.getSpec().getRoles() == null ? List.of() : pool.getSpec().getRoles();
        boolean broker = roles.contains(ProcessRoles.BROKER);
        Map<String, String> podLabels = new LinkedHashMap<>();
        podLabels.put("strimzi.io/cluster", cluster);
        podLabels.put("strimzi.io/kind", "Kafka");
        podLabels.put("strimzi.io/name", cluster + "-kafka");
        podLabels.put("strimzi.io/pool-name", m.name());
        podLabels.put("strimzi.io/broker-role", String.valueOf(broker));
        podLabels.put("strimzi.io/controller-role", String.valueOf(roles.contains(ProcessRoles.CONTROLLER)));
        Map<String, Integer> ports = new HashMap<>(STRIMZI_INTERNAL_PORTS);
        if (broker) {
            kafka(m.namespace(), cluster).ifPresent(k -> {
                for (GenericKafkaListener listener : k.getSpec().getKafka().getListeners()) {
                    ports.put("tcp-" + listener.getName(), listener.getPort());
                }
            });
        }
        workloads.add(new Workload("pods of " + m.id(), "KafkaNodePool", m.namespace(), m.name(), podLabels, null,
                pool.getSpec().getReplicas(), Set.of(), ports));
    }

    public List<Schemas.Typed> objects() {
        return objects;
    }

    public <T> List<Typed<T>> all(Class<T> type) {
        List<Typed<T>> found = new ArrayList<>();
        for (Schemas.Typed typed : objects) {
            if (type.isInstance(typed.value())) {
                found.add(new Typed<>(typed.manifest(), type.cast(typed.value())));
            }
        }
        return found;
    }

    /** A typed object with its raw manifest, for naming it in findings. */
    public record Typed<T>(Manifest manifest, T value) {
    }

    public List<Workload> workloads() {
        return workloads;
    }

    /** Our own workloads (with a pod spec), not the pods operators make. */
    public Stream<Workload> ownWorkloads() {
        return workloads.stream().filter(w -> !w.operatorManaged());
    }

    public Optional<Workload> workload(String kind, String namespace, String name) {
        return workloads.stream().filter(w -> w.kind().equals(kind) && w.namespace().equals(namespace) && w.name().equals(name)).findFirst();
    }

    public Optional<Kafka> kafka(String namespace, String name) {
        return all(Kafka.class).stream().filter(k -> k.manifest().namespace().equals(namespace) && k.manifest().name().equals(name))
                .map(Typed::value).findFirst();
    }

    public Optional<ConfigMap> configMap(String namespace, String name) {
        return all(ConfigMap.class).stream().filter(c -> c.manifest().namespace().equals(namespace) && c.manifest().name().equals(name))
                .map(Typed::value).findFirst();
    }

    public boolean hasClaim(String namespace, String name) {
        return all(PersistentVolumeClaim.class).stream().anyMatch(c -> c.manifest().namespace().equals(namespace) && c.manifest().name().equals(name));
    }

    /** Keys of a Secret an operator will make for a rendered resource, if one will. */
    public Optional<Set<String>> operatorSecret(String namespace, String name) {
        return Optional.ofNullable(operatorSecrets.get(key(namespace, name)));
    }

    /** The environment a container gets from literal values and ConfigMaps (secret values are not resolved). */
    public Map<String, String> environment(Workload w, Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        if (container.getEnvFrom() != null) {
            for (var from : container.getEnvFrom()) {
                if (from.getConfigMapRef() != null) {
                    configMap(w.namespace(), from.getConfigMapRef().getName())
                            .filter(c -> c.getData() != null).ifPresent(c -> env.putAll(c.getData()));
                }
            }
        }
        if (container.getEnv() != null) {
            container.getEnv().stream().filter(e -> e.getValue() != null).forEach(e -> env.put(e.getName(), e.getValue()));
        }
        return env;
    }

    static Map<String, String> labels(io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
        return metadata == null || metadata.getLabels() == null ? Map.of() : metadata.getLabels();
    }

    /** Every container of a pod, init containers included. */
    static List<Container> containers(PodSpec pod) {
        List<Container> all = new ArrayList<>();
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        if (pod.getContainers() != null) {
            all.addAll(pod.getContainers());
        }
        return all;
    }

    private static Map<String, Integer> ports(PodSpec pod) {
        Map<String, Integer> ports = new HashMap<>();
        for (Container container : containers(pod)) {
            if (container.getPorts() != null) {
                for (ContainerPort port : container.getPorts()) {
                    ports.put(port.getName() == null ? String.valueOf(port.getContainerPort()) : port.getName(), port.getContainerPort());
                }
            }
        }
        return ports;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
