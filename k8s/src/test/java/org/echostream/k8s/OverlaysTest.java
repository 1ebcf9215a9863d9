package org.echostream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.echostream.k8s.check.Manifest;
import org.echostream.k8s.check.Schemas;
import org.echostream.k8s.keda.ScaledObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every overlay, rendered by the real kustomize, passes every check; and the overlays differ as documented. */
class OverlaysTest {

    static final List<String> OVERLAYS = Overlays.ALL;

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void overlay_renders_and_every_object_passes_schema_reference_hardening_kafka_scaling_and_gpu_checks(String overlay) {
        String rendered = Overlays.render(overlay);
        assertThat(Manifest.parseAll(rendered)).as("objects rendered by %s", overlay).hasSizeGreaterThan(40);
        assertThat(Overlays.validate(rendered)).as("findings for overlays/%s", overlay).isEmpty();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void overlay_puts_every_object_in_one_namespace(String overlay) {
        Set<String> namespaces = Manifest.parseAll(Overlays.render(overlay)).stream().map(Manifest::namespace).collect(Collectors.toSet());
        assertThat(namespaces).as("namespaces of %s", overlay).hasSize(1).doesNotContain("");
    }

    @Test
    void dev_runs_one_replica_of_every_service_and_no_autoscaler() {
        List<Object> objects = typed("dev");
        assertThat(objects).filteredOn(o -> o instanceof Deployment).allSatisfy(o -> assertThat(((Deployment) o).getSpec().getReplicas()).isEqualTo(1));
        assertThat(objects).filteredOn(o -> o instanceof StatefulSet).allSatisfy(o -> assertThat(((StatefulSet) o).getSpec().getReplicas()).isEqualTo(1));
        assertThat(objects).noneMatch(o -> o instanceof ScaledObject);
    }

    @Test
    void prod_scales_the_embedder_and_the_anomaly_app_on_lag() {
        Map<String, Integer> maxReplicas = typed("prod").stream().filter(o -> o instanceof ScaledObject).map(o -> (ScaledObject) o)
                .collect(Collectors.toMap(s -> s.spec().scaleTargetRef().name(), s -> s.spec().maxReplicaCount()));
        assertThat(maxReplicas).containsOnlyKeys("echostream-embedder", "echostream-anomaly");
    }

    @Test
    void gpu_overlay_changes_only_the_embedder_and_its_settings() {
        Map<String, String> prod = byKindAndName(Overlays.render("prod"));
        Map<String, String> gpu = byKindAndName(Overlays.render("prod-gpu"));
        Set<String> changed = new java.util.TreeSet<>();
        for (String key : union(prod.keySet(), gpu.keySet())) {
            if (!java.util.Objects.equals(prod.get(key), gpu.get(key))) {
                changed.add(key);
            }
        }
        // The embedder's ConfigMap gets a new content hash in its name, so it shows as one removed and one added.
        assertThat(changed).allMatch(k -> k.equals("Deployment echostream-embedder") || k.startsWith("ConfigMap echostream-embedder-"))
                .contains("Deployment echostream-embedder");
    }

    /**
     * kubectl (1.27 and later) embeds kustomize v5; the pinned one is 4.5.4. Where a kubectl is on the PATH, both
     * must render the same objects, so `kubectl apply -k` on a cluster applies what the tests checked.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void kubectl_kustomize_renders_the_same_objects_where_kubectl_is_installed(String overlay) throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        Assumptions.assumeTrue(Files.isExecutable(kubectl), "no kubectl on this machine: only the pinned kustomize rendered the overlays");
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", Overlays.K8S.resolve("overlays").resolve(overlay).toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        Assumptions.assumeTrue(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0, "this kubectl cannot run kustomize");
        assertThat(byKindAndName(out)).isEqualTo(byKindAndName(Overlays.render(overlay)));
    }

    private static List<Object> typed(String overlay) {
        return Manifest.parseAll(Overlays.render(overlay)).stream().map(Schemas::parse)
                .filter(p -> p instanceof Schemas.Typed).map(p -> ((Schemas.Typed) p).value()).toList();
    }

    private static Map<String, String> byKindAndName(String rendered) {
        Map<String, String> objects = new TreeMap<>();
        for (Manifest m : Manifest.parseAll(rendered)) {
            objects.put(m.kind() + " " + m.name(), canonical(m));
        }
        return objects;
    }

    private static String canonical(Manifest m) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
                    .writeValueAsString(new com.fasterxml.jackson.databind.ObjectMapper().convertValue(m.body(), Object.class));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
