package org.echostream.k8s.check;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything one object names must exist: Services and PDBs select pods, ports resolve on those pods,
 * ConfigMaps, Secrets (and their keys), PVCs, ServiceAccounts and volumes referenced by pods exist in the
 * rendered tree, are made by an operator for a rendered resource, or are listed as external; NetworkPolicies
 * select pods and their peers and ports exist; Strimzi resources name a rendered Kafka cluster.
 */
public final class References {

    private final RenderedTree tree;
    private final ExternalSecrets external;
    private final List<Finding> findings = new ArrayList<>();

    private References(RenderedTree tree, ExternalSecrets external) {
        this.tree = tree;
        this.external = external;
    }

    public static List<Finding> check(RenderedTree tree, ExternalSecrets external) {
        References check = new References(tree, external);
        tree.ownWorkloads().forEach(check::pod);
        tree.all(Service.class).forEach(check::service);
        tree.all(PodDisruptionBudget.class).forEach(check::disruptionBudget);
        tree.all(NetworkPolicy.class).forEach(check::networkPolicy);
        tree.all(KafkaTopic.class).forEach(t -> check.kafkaCluster(t.manifest(), t.value().getMetadata()));
        tree.all(KafkaUser.class).forEach(t -> check.kafkaCluster(t.manifest(), t.value().getMetadata()));
        tree.all(KafkaNodePool.class).forEach(t -> check.kafkaCluster(t.manifest(), t.value().getMetadata()));
        return List.copyOf(check.findings);
    }

    private void pod(Workload w) {
        PodSpec pod = w.pod();
        String sa = pod.getServiceAccountName();
        if (sa != null && tree.all(ServiceAccount.class).stream()
                .noneMatch(s -> s.manifest().namespace().equals(w.namespace()) && s.manifest().name().equals(sa))) {
            add(w.id(), ".spec.template.spec.serviceAccountName", "ServiceAccount " + sa + " is not in the rendered tree");
        }
        Set<String> volumes = pod.getVolumes() == null ? Set.of()
                : pod.getVolumes().stream().map(Volume::getName).collect(Collectors.toSet());
        if (pod.getVolumes() != null) {
            for (int i = 0; i < pod.getVolumes().size(); i++) {
                volume(w, ".spec.template.spec.volumes[" + i + "]", pod.getVolumes().get(i));
            }
        }
        for (Container c : RenderedTree.containers(pod)) {
            String where = ".spec.template.spec.containers[name=" + c.getName() + "]";
            if (c.getVolumeMounts() != null) {
                for (VolumeMount mount : c.getVolumeMounts()) {
                    if (!volumes.contains(mount.getName()) && !w.claimTemplates().contains(mount.getName())) {
                        add(w.id(), where + ".volumeMounts", "mounts volume '" + mount.getName() + "' that the pod does not define");
                    }
                }
            }
            if (c.getEnvFrom() != null) {
                for (EnvFromSource from : c.getEnvFrom()) {
                    if (from.getConfigMapRef() != null) {
                        configMap(w, where + ".envFrom", from.getConfigMapRef().getName(), List.of());
                    }
                    if (from.getSecretRef() != null) {
                        secret(w, where + ".envFrom", from.getSecretRef().getName(), List.of());
                    }
                }
            }
            if (c.getEnv() != null) {
                for (EnvVar env : c.getEnv()) {
                    if (env.getValueFrom() == null) {
                        continue;
                    }
                    if (env.getValueFrom().getSecretKeyRef() != null) {
                        secret(w, where + ".env[" + env.getName() + "]", env.getValueFrom().getSecretKeyRef().getName(),
                                List.of(env.getValueFrom().getSecretKeyRef().getKey()));
                    }
                    if (env.getValueFrom().getConfigMapKeyRef() != null) {
                        configMap(w, where + ".env[" + env.getName() + "]", env.getValueFrom().getConfigMapKeyRef().getName(),
                                List.of(env.getValueFrom().getConfigMapKeyRef().getKey()));
                    }
                }
            }
            for (Probe probe : java.util.Arrays.asList(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                if (probe != null && probe.getHttpGet() != null && !w.listensOn(port(probe.getHttpGet().getPort()))) {
                    add(w.id(), where, "a probe uses port '" + port(probe.getHttpGet().getPort()) + "', which no container declares");
                }
            }
        }
    }

    private void volume(Workload w, String where, Volume volume) {
        if (volume.getConfigMap() != null) {
            configMap(w, where, volume.getConfigMap().getName(), keys(volume.getConfigMap().getItems()));
        }
        if (volume.getSecret() != null) {
            secret(w, where, volume.getSecret().getSecretName(), keys(volume.getSecret().getItems()));
        }
        if (volume.getPersistentVolumeClaim() != null && !tree.hasClaim(w.namespace(), volume.getPersistentVolumeClaim().getClaimName())) {
            add(w.id(), where, "PersistentVolumeClaim " + volume.getPersistentVolumeClaim().getClaimName() + " is not in the rendered tree");
        }
    }

    private static List<String> keys(List<KeyToPath> items) {
        return items == null ? List.of() : items.stream().map(KeyToPath::getKey).toList();
    }

    private void configMap(Workload w, String where, String name, Collection<String> keys) {
        var found = tree.configMap(w.namespace(), name);
        if (found.isEmpty()) {
            add(w.id(), where, "ConfigMap " + name + " is not in the rendered tree");
            return;
        }
        ConfigMap map = found.get();
        for (String key : keys) {
            boolean present = map.getData() != null && map.getData().containsKey(key)
                    || map.getBinaryData() != null && map.getBinaryData().containsKey(key);
            if (!present) {
                add(w.id(), where, "ConfigMap " + name + " has no key '" + key + "'");
            }
        }
    }

    private void secret(Workload w, String where, String name, Collection<String> keys) {
        Set<String> known = tree.operatorSecret(w.namespace(), name)
                .or(() -> external.find(name).map(ExternalSecrets.Entry::keys))
                .orElse(null);
        if (known == null) {
            add(w.id(), where, "Secret " + name + " is neither made by an operator for a rendered resource (KafkaUser, Kafka) "
                    + "nor listed in k8s/external-secrets.yaml");
            return;
        }
        for (String key : keys) {
            if (!known.contains(key)) {
                add(w.id(), where, "Secret " + name + " has no key '" + key + "' (it has " + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private void service(RenderedTree.Typed<Service> s) {
        Map<String, String> selector = s.value().getSpec().getSelector();
        List<Workload> selected = tree.workloads().stream()
                .filter(w -> w.namespace().equals(s.manifest().namespace()) && Selectors.matches(selector, w.podLabels())).toList();
        if (selected.isEmpty()) {
            add(s.manifest().id(), ".spec.selector", "selects no pod of the rendered tree: " + selector);
            return;
        }
        for (ServicePort port : s.value().getSpec().getPorts()) {
            String target = port.getTargetPort() == null ? String.valueOf(port.getPort()) : port(port.getTargetPort());
            for (Workload w : selected) {
                if (!w.listensOn(target)) {
                    add(s.manifest().id(), ".spec.ports[" + port.getName() + "]", "targetPort " + target + " is not a port of " + w.id());
                }
            }
        }
    }

    private void disruptionBudget(RenderedTree.Typed<PodDisruptionBudget> pdb) {
        var selector = pdb.value().getSpec().getSelector();
        if (Selectors.isEmpty(selector) || tree.workloads().stream()
                .noneMatch(w -> w.namespace().equals(pdb.manifest().namespace()) && Selectors.matches(selector, w.podLabels()))) {
            add(pdb.manifest().id(), ".spec.selector", "selects no pod of the rendered tree");
        }
    }

    private void networkPolicy(RenderedTree.Typed<NetworkPolicy> np) {
        String ns = np.manifest().namespace();
        var spec = np.value().getSpec();
        List<Workload> selected = tree.workloads().stream()
                .filter(w -> w.namespace().equals(ns) && Selectors.matches(spec.getPodSelector(), w.podLabels())).toList();
        if (selected.isEmpty()) {
            add(np.manifest().id(), ".spec.podSelector", "selects no pod of the rendered tree");
        }
        if (spec.getIngress() != null) {
            for (int i = 0; i < spec.getIngress().size(); i++) {
                var rule = spec.getIngress().get(i);
                peers(np.manifest(), ".spec.ingress[" + i + "].from", rule.getFrom());
                ports(np.manifest(), ".spec.ingress[" + i + "].ports", rule.getPorts(), selected);
            }
        }
        if (spec.getEgress() != null) {
            for (int i = 0; i < spec.getEgress().size(); i++) {
                var rule = spec.getEgress().get(i);
                List<Workload> peers = peers(np.manifest(), ".spec.egress[" + i + "].to", rule.getTo());
                ports(np.manifest(), ".spec.egress[" + i + "].ports", rule.getPorts(), peers);
            }
        }
    }

    /** Same-namespace pod peers must select a rendered pod; returns them (empty for other namespaces or IP blocks). */
    private List<Workload> peers(Manifest policy, String where, List<NetworkPolicyPeer> peers) {
        List<Workload> matched = new ArrayList<>();
        if (peers == null) {
            return matched;
        }
        for (int j = 0; j < peers.size(); j++) {
            NetworkPolicyPeer peer = peers.get(j);
            if (peer.getPodSelector() == null || peer.getNamespaceSelector() != null) {
                continue; // an IP block, or pods in other namespaces (kube-dns, monitoring): outside this tree
            }
            List<Workload> selected = tree.workloads().stream()
                    .filter(w -> w.namespace().equals(policy.namespace()) && Selectors.matches(peer.getPodSelector(), w.podLabels())).toList();
            if (selected.isEmpty()) {
                add(policy.id(), where + "[" + j + "].podSelector", "selects no pod of the rendered tree");
            }
            matched.addAll(selected);
        }
        return matched;
    }

    private void ports(Manifest policy, String where, List<NetworkPolicyPort> ports, List<Workload> pods) {
        if (ports == null || pods.isEmpty()) {
            return;
        }
        for (NetworkPolicyPort port : ports) {
            if (port.getPort() == null) {
                continue;
            }
            String p = port(port.getPort());
            if (pods.stream().noneMatch(w -> w.listensOn(p))) {
                add(policy.id(), where, "port " + p + " is not a port of any pod it applies to ("
                        + pods.stream().map(Workload::id).toList() + ")");
            }
        }
    }

    private void kafkaCluster(Manifest m, io.fabric8.kubernetes.api.model.ObjectMeta metadata) {
        String cluster = RenderedTree.labels(metadata).get("strimzi.io/cluster");
        if (cluster == null) {
            add(m.id(), ".metadata.labels", "has no strimzi.io/cluster label: no operator will reconcile it");
        } else if (tree.kafka(m.namespace(), cluster).isEmpty()) {
            add(m.id(), ".metadata.labels[strimzi.io/cluster]", "names Kafka " + cluster + ", which is not in the rendered tree (namespace '" + m.namespace() + "')");
        }
    }

    private static String port(IntOrString port) {
        return port.getStrVal() != null ? port.getStrVal() : String.valueOf(port.getIntVal());
    }

    private void add(String object, String path, String fact) {
        findings.add(new Finding(object, path, fact));
    }
}
