package org.echostream.k8s.kafka;

/**
 * Facts about the Strimzi {@code Kafka} cluster that the manifests and the checks share: its name, the TLS
 * listener clients use, the Secrets the operator creates, and the labels it puts on the pods it runs.
 */
public final class StrimziCluster {

    /** metadata.name of the Kafka resource; every KafkaTopic/KafkaUser/KafkaNodePool names it in strimzi.io/cluster. */
    public static final String NAME = "echostream";
    /** Replicas of every catalogue topic; with min.insync.replicas 2 one broker may be down without stopping writes. */
    public static final int TOPIC_REPLICAS = 3;
    public static final int MIN_INSYNC_REPLICAS = 2;
    /** The internal TLS listener (mutual TLS authentication) every echostream client uses. */
    public static final String TLS_LISTENER = "tls";
    public static final int TLS_PORT = 9093;
    public static final String BOOTSTRAP = NAME + "-kafka-bootstrap:" + TLS_PORT;
    /** Created by the Cluster Operator: the cluster CA certificate clients trust (key ca.crt). */
    public static final String CLUSTER_CA_SECRET = NAME + "-cluster-ca-cert";
    public static final String CLUSTER_LABEL = "strimzi.io/cluster";

    private StrimziCluster() {
    }
}
