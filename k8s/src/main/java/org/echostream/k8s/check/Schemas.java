package org.echostream.k8s.check;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.echostream.k8s.keda.ScaledObject;
import org.echostream.k8s.keda.TriggerAuthentication;

/**
 * Types every rendered object with the published model of its kind: fabric8's Kubernetes model for core
 * kinds, Strimzi's API classes for Kafka resources, and our KEDA records. The mapper is strict where the API
 * server and the operators are: a field the model does not have, a string where a number belongs, a
 * polymorphic {@code type} the model does not know, or a duplicate key is a finding. (fabric8 and Strimzi keep
 * unknown fields in a catch-all map rather than failing; that catch-all is switched off here.)
 *
 * <p>Only the kinds this tree is meant to contain are accepted; any other apiVersion/kind is a finding, and a
 * Secret is always one: secrets never live in the manifests.
 */
public final class Schemas {

    /** apiVersion + "/" + kind -> the class that types it. */
    static final Map<String, Class<?>> KINDS = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("apps/v1/StatefulSet", StatefulSet.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("kafka.strimzi.io/v1/Kafka", Kafka.class),
            Map.entry("kafka.strimzi.io/v1/KafkaNodePool", KafkaNodePool.class),
            Map.entry("kafka.strimzi.io/v1/KafkaTopic", KafkaTopic.class),
            Map.entry("kafka.strimzi.io/v1/KafkaUser", KafkaUser.class),
            Map.entry("keda.sh/v1alpha1/ScaledObject", ScaledObject.class),
            Map.entry("keda.sh/v1alpha1/TriggerAuthentication", TriggerAuthentication.class));

    /** The outcome of typing one object. */
    public sealed interface Parsed permits Typed, Rejected {
        Manifest manifest();
    }

    /** Typed cleanly: {@code value} is an instance of the kind's model class. */
    public record Typed(Manifest manifest, Object value) implements Parsed {
    }

    /** Not typed, or typed with fields the model does not know. */
    public record Rejected(Manifest manifest, List<Finding> findings) implements Parsed {
    }

    private Schemas() {
    }

    public static Parsed parse(Manifest manifest) {
        if (manifest.kind().equals("Secret")) {
            return new Rejected(manifest, List.of(new Finding(manifest.id(), "",
                    "a Secret in the manifests; secrets are created in the cluster (k8s/external-secrets.yaml) or by an operator, never committed")));
        }
        Class<?> type = KINDS.get(manifest.apiVersion() + "/" + manifest.kind());
        if (type == null) {
            return new Rejected(manifest, List.of(new Finding(manifest.id(), "",
                    "apiVersion " + manifest.apiVersion() + " kind " + manifest.kind()
                            + " is not a kind this tree may contain; known: " + new java.util.TreeSet<>(KINDS.keySet()))));
        }
        if (manifest.name().isEmpty()) {
            return new Rejected(manifest, List.of(new Finding(manifest.id(), ".metadata.name", "missing")));
        }
        List<Finding> unknown = new ArrayList<>();
        ObjectMapper mapper = strictMapper(manifest, unknown);
        try {
            Object value = mapper.treeToValue(manifest.body(), type);
            return unknown.isEmpty() ? new Typed(manifest, value) : new Rejected(manifest, unknown);
        } catch (JsonMappingException e) {
            unknown.add(new Finding(manifest.id(), path(e.getPath()), e.getOriginalMessage()));
            return new Rejected(manifest, unknown);
        } catch (IOException e) {
            unknown.add(new Finding(manifest.id(), "", e.getMessage()));
            return new Rejected(manifest, unknown);
        }
    }

    private static ObjectMapper strictMapper(Manifest manifest, List<Finding> unknown) {
        return JsonMapper.builder()
                .annotationIntrospector(new NoCatchAll())
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .addHandler(new DeserializationProblemHandler() {
                    @Override
                    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
                                                         Object beanOrClass, String propertyName) throws IOException {
                        Class<?> owner = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
                        unknown.add(new Finding(manifest.id(), path(p.getParsingContext()),
                                "unknown field '" + propertyName + "' (" + owner.getSimpleName() + " has no such property)"));
                        p.skipChildren();
                        return true;
                    }
                })
                .build();
    }

    /** Switches off the models' catch-all maps for unknown fields, and their ignoreUnknown. */
    private static final class NoCatchAll extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean hasAnySetter(Annotated a) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(MapperConfig<?> config, Annotated a) {
            return super.findPropertyIgnoralByName(config, a).withoutIgnoreUnknown();
        }
    }

    static String path(JsonStreamContext context) {
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push("." + c.getCurrentName());
            }
        }
        return String.join("", parts);
    }

    static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                out.append('.').append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}
