package org.echostream.k8s.check;

import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Map;
import java.util.Set;

/**
 * Something that runs pods: a Deployment or StatefulSet of ours, or a pod Strimzi will create from a
 * KafkaNodePool (known by the labels and ports the operator gives it, with no pod spec of ours).
 *
 * @param id            how findings name it
 * @param kind          Deployment, StatefulSet or KafkaNodePool
 * @param podLabels     labels of its pods
 * @param pod           the pod spec (null for operator-made pods)
 * @param replicas      pods it asks for
 * @param claimTemplates StatefulSet volumeClaimTemplates names (volumes the pod gets without a PVC object)
 * @param ports         container port names and numbers its pods listen on
 */
public record Workload(String id, String kind, String namespace, String name, Map<String, String> podLabels,
                       PodSpec pod, int replicas, Set<String> claimTemplates, Map<String, Integer> ports) {

    public boolean operatorManaged() {
        return pod == null;
    }

    /** Whether a port (a name, or a number as text) is one these pods listen on. */
    public boolean listensOn(String port) {
        return ports.containsKey(port) || ports.containsValue(parse(port));
    }

    private static Integer parse(String port) {
        try {
            return Integer.valueOf(port);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
