package org.echostream.k8s.keda;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;
import java.util.Map;

/**
 * KEDA's {@code keda.sh/v1alpha1 ScaledObject}, as typed records for validation. No KEDA model is published on
 * Maven Central, so this one is ours, written from KEDA 2.x's documented fields; the HPA behaviour inside it is
 * fabric8's Kubernetes model. Parsed with the same strict mapper as everything else: a field KEDA does not
 * document here is an error.
 */
public record ScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    public record Spec(ScaleTargetRef scaleTargetRef, Integer pollingInterval, Integer cooldownPeriod,
                       Integer initialCooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount,
                       Integer maxReplicaCount, Fallback fallback, Advanced advanced, List<Trigger> triggers) {
    }

    public record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
    }

    public record Fallback(Integer failureThreshold, Integer replicas, String behavior) {
    }

    public record Advanced(Boolean restoreToOriginalReplicaCount, HorizontalPodAutoscalerConfig horizontalPodAutoscalerConfig,
                           ScalingModifiers scalingModifiers) {
    }

    public record HorizontalPodAutoscalerConfig(String name, HorizontalPodAutoscalerBehavior behavior) {
    }

    public record ScalingModifiers(String formula, String target, String activationTarget, String metricType) {
    }

    /** metadata is a string map in KEDA's schema: every value is a string ("30", "false"), never a number. */
    public record Trigger(String type, String name, Map<String, String> metadata, AuthenticationRef authenticationRef,
                          String metricType, Boolean useCachedMetrics) {
    }

    public record AuthenticationRef(String name, String kind) {
    }
}
