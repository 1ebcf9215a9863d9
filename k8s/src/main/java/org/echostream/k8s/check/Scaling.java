package org.echostream.k8s.check;

import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclOperation;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.echostream.k8s.kafka.ServiceAccess;
import org.echostream.k8s.keda.KafkaTrigger;
import org.echostream.k8s.keda.ScaledObject;
import org.echostream.k8s.keda.TriggerAuthentication;

/**
 * KEDA scaling on consumer lag, checked against the catalogue and the access table: the target exists; every
 * trigger is a Kafka trigger with documented keys only; it measures the consumer group the target service
 * really uses, on a topic that service reads; maxReplicaCount never exceeds that topic's partition count
 * (more consumers than partitions sit idle); the trigger authenticates over TLS with Secrets that exist, as a
 * KafkaUser allowed to describe that topic and group.
 */
public final class Scaling {

    private Scaling() {
    }

    public static List<Finding> check(RenderedTree tree) {
        List<Finding> findings = new ArrayList<>();
        for (var so : tree.all(ScaledObject.class)) {
            scaledObject(tree, so, findings);
        }
        for (var auth : tree.all(TriggerAuthentication.class)) {
            authentication(tree, auth, findings);
        }
        return findings;
    }

    private static void scaledObject(RenderedTree tree, RenderedTree.Typed<ScaledObject> so, List<Finding> findings) {
        String id = so.manifest().id();
        var spec = so.value().spec();
        if (spec == null || spec.scaleTargetRef() == null || spec.triggers() == null || spec.triggers().isEmpty()) {
            findings.add(new Finding(id, ".spec", "needs scaleTargetRef and at least one trigger"));
            return;
        }
        var ref = spec.scaleTargetRef();
        String kind = ref.kind() == null ? "Deployment" : ref.kind();
        Optional<Workload> target = tree.workload(kind, so.manifest().namespace(), ref.name());
        if (target.isEmpty()) {
            findings.add(new Finding(id, ".spec.scaleTargetRef", kind + " " + ref.name() + " is not in the rendered tree"));
            return;
        }
        int min = spec.minReplicaCount() == null ? 0 : spec.minReplicaCount();
        int max = spec.maxReplicaCount() == null ? 100 : spec.maxReplicaCount();
        if (min > max) {
            findings.add(new Finding(id, ".spec.minReplicaCount", min + " is above maxReplicaCount " + max));
        }
        Optional<ServiceAccess> service = serviceOf(target.get());
        for (int i = 0; i < spec.triggers().size(); i++) {
            trigger(tree, so.manifest(), ".spec.triggers[" + i + "]", spec.triggers().get(i), max, service, findings);
        }
    }

    private static void trigger(RenderedTree tree, Manifest scaledObject, String where, ScaledObject.Trigger trigger, int max,
                                Optional<ServiceAccess> service, List<Finding> findings) {
        String id = scaledObject.id();
        String namespace = scaledObject.namespace();
        if (!KafkaTrigger.TYPE.equals(trigger.type())) {
            findings.add(new Finding(id, where + ".type", "is " + trigger.type() + "; echostream scales on Kafka lag only"));
            return;
        }
        Map<String, String> metadata = trigger.metadata() == null ? Map.of() : trigger.metadata();
        var unknown = new TreeSet<>(metadata.keySet());
        unknown.removeAll(KafkaTrigger.METADATA_KEYS);
        if (!unknown.isEmpty()) {
            findings.add(new Finding(id, where + ".metadata", "keys " + unknown + " are not documented for the kafka scaler"));
        }
        Optional<Topic<?, ?>> topic = Topics.byName(metadata.getOrDefault("topic", ""));
        if (topic.isEmpty()) {
            findings.add(new Finding(id, where + ".metadata.topic", "'" + metadata.get("topic") + "' is not in the topic catalogue; "
                    + "name the topic so replicas stay bounded by its partitions"));
        } else if (max > topic.get().partitions()) {
            findings.add(new Finding(id, ".spec.maxReplicaCount", max + " is above the " + topic.get().partitions()
                    + " partitions of " + topic.get().name() + ": consumers beyond the partition count sit idle"));
        }
        String group = metadata.get("consumerGroup");
        if (service.isEmpty()) {
            findings.add(new Finding(id, ".spec.scaleTargetRef", "the target is not one of the echostream services (label app.kubernetes.io/component)"));
        } else {
            if (!service.get().kafkaName().equals(group)) {
                findings.add(new Finding(id, where + ".metadata.consumerGroup", "is " + group + ", the " + service.get().service()
                        + " service consumes as " + service.get().kafkaName()));
            }
            if (topic.isPresent() && !service.get().reads().contains(topic.get())) {
                findings.add(new Finding(id, where + ".metadata.topic", topic.get().name() + " is not read by the " + service.get().service() + " service"));
            }
        }
        if (!"enable".equals(metadata.get("tls"))) {
            findings.add(new Finding(id, where + ".metadata.tls", "must be enable: the brokers only have TLS listeners"));
        }
        String bootstrap = metadata.get("bootstrapServers");
        if (bootstrap == null || !KafkaResources.isTlsBootstrapAddress(tree, namespace, bootstrap)) {
            findings.add(new Finding(id, where + ".metadata.bootstrapServers", bootstrap + " is not the TLS bootstrap address of a rendered Kafka"));
        }
        if (trigger.authenticationRef() == null) {
            findings.add(new Finding(id, where + ".authenticationRef", "missing: the brokers only accept certificate-authenticated clients"));
            return;
        }
        var auth = tree.all(TriggerAuthentication.class).stream()
                .filter(a -> a.manifest().name().equals(trigger.authenticationRef().name()) && a.manifest().namespace().equals(namespace))
                .findFirst();
        if (auth.isEmpty()) {
            findings.add(new Finding(id, where + ".authenticationRef", "TriggerAuthentication " + trigger.authenticationRef().name() + " is not in the rendered tree"));
            return;
        }
        lagReaderAllowed(tree, id, auth.get().value(), namespace, topic, group, findings);
    }

    /** The KafkaUser whose certificate the trigger presents must be allowed to Describe the topic and the group. */
    private static void lagReaderAllowed(RenderedTree tree, String id, TriggerAuthentication auth, String namespace,
                                         Optional<Topic<?, ?>> topic, String group, List<Finding> findings) {
        var certificate = auth.spec().secretTargetRef() == null ? Optional.<TriggerAuthentication.SecretTargetRef>empty()
                : auth.spec().secretTargetRef().stream().filter(r -> "cert".equals(r.parameter())).findFirst();
        if (certificate.isEmpty()) {
            findings.add(new Finding(id, ".authenticationRef", "its TriggerAuthentication gives no client certificate (parameter cert)"));
            return;
        }
        var user = tree.all(KafkaUser.class).stream()
                .filter(u -> u.manifest().namespace().equals(namespace) && u.manifest().name().equals(certificate.get().name())).findFirst();
        if (user.isEmpty()) {
            findings.add(new Finding(id, ".authenticationRef", "the certificate comes from Secret " + certificate.get().name()
                    + ", but no rendered KafkaUser of that name would make it"));
            return;
        }
        List<AclRule> acls = user.get().value().getSpec().getAuthorization() instanceof KafkaUserAuthorizationSimple simple
                ? simple.getAcls() : List.of();
        if (topic.isPresent() && acls.stream().noneMatch(a -> a.getResource() instanceof AclRuleTopicResource t
                && t.getName().equals(topic.get().name()) && describes(a))) {
            findings.add(new Finding(id, ".authenticationRef", "KafkaUser " + certificate.get().name() + " may not Describe topic " + topic.get().name()));
        }
        if (acls.stream().noneMatch(a -> a.getResource() instanceof AclRuleGroupResource g && g.getName().equals(group) && describes(a))) {
            findings.add(new Finding(id, ".authenticationRef", "KafkaUser " + certificate.get().name() + " may not Describe group " + group));
        }
    }

    private static boolean describes(AclRule acl) {
        return acl.getOperations() != null && (acl.getOperations().contains(AclOperation.DESCRIBE) || acl.getOperations().contains(AclOperation.ALL));
    }

    private static void authentication(RenderedTree tree, RenderedTree.Typed<TriggerAuthentication> auth, List<Finding> findings) {
        var refs = auth.value().spec() == null || auth.value().spec().secretTargetRef() == null
                ? List.<TriggerAuthentication.SecretTargetRef>of() : auth.value().spec().secretTargetRef();
        for (var ref : refs) {
            if (!KafkaTrigger.AUTH_PARAMETERS.contains(ref.parameter())) {
                findings.add(new Finding(auth.manifest().id(), ".spec.secretTargetRef[parameter=" + ref.parameter() + "]",
                        "is not a parameter of the kafka scaler " + new TreeSet<>(KafkaTrigger.AUTH_PARAMETERS)));
            }
            var keys = tree.operatorSecret(auth.manifest().namespace(), ref.name());
            if (keys.isEmpty()) {
                findings.add(new Finding(auth.manifest().id(), ".spec.secretTargetRef[parameter=" + ref.parameter() + "]",
                        "Secret " + ref.name() + " is not made by an operator for a rendered resource"));
            } else if (!keys.get().contains(ref.key())) {
                findings.add(new Finding(auth.manifest().id(), ".spec.secretTargetRef[parameter=" + ref.parameter() + "]",
                        "Secret " + ref.name() + " has no key '" + ref.key() + "'"));
            }
        }
    }

    static Optional<ServiceAccess> serviceOf(Workload workload) {
        String component = workload.podLabels().get("app.kubernetes.io/component");
        return ServiceAccess.all().stream().filter(s -> s.service().equals(component)).findFirst();
    }
}
