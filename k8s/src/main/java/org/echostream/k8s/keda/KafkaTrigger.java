package org.echostream.k8s.keda;

import java.util.Set;

/** The metadata keys KEDA's {@code kafka} scaler documents (KEDA 2.x); anything else is a typo it would ignore. */
public final class KafkaTrigger {

    public static final String TYPE = "kafka";

    public static final Set<String> METADATA_KEYS = Set.of(
            "bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold",
            "offsetResetPolicy", "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag",
            "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version", "partitionLimitation",
            "sasl", "tls", "unsafeSsl");

    /** Authentication parameters the scaler takes from a TriggerAuthentication. */
    public static final Set<String> AUTH_PARAMETERS = Set.of(
            "sasl", "username", "password", "tls", "ca", "cert", "key", "keyPassword", "keyEncoding");

    private KafkaTrigger() {
    }
}
