package org.echostream.k8s.keda;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;

/** KEDA's {@code keda.sh/v1alpha1 TriggerAuthentication} (see {@link ScaledObject} on where the model comes from). */
public record TriggerAuthentication(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    public record Spec(List<SecretTargetRef> secretTargetRef, List<ConfigMapTargetRef> configMapTargetRef, List<EnvRef> env) {
    }

    public record SecretTargetRef(String parameter, String name, String key) {
    }

    public record ConfigMapTargetRef(String parameter, String name, String key) {
    }

    public record EnvRef(String parameter, String name, String containerName) {
    }
}
