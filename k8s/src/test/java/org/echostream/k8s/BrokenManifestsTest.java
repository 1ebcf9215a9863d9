package org.echostream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.echostream.k8s.check.Finding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each folder under src/test/kustomize is a real overlay with one mistake patched in (its kustomization says
 * which). Rendered by the same kustomize and checked by the same checks, every one must fail, naming the
 * object and the fact: this is what keeps the checks honest.
 */
class BrokenManifestsTest {

    static final Path CASES = Overlays.K8S.resolve("src/test/kustomize");

    /** Case folder -> what the finding must say. */
    static final Map<String, String> EXPECTED = Map.ofEntries(
            Map.entry("unknown-field", "Deployment echostream-dev/echostream-ingest .spec.template.spec.containers[0].resourcez: unknown field 'resourcez'"),
            Map.entry("wrong-kind", "kind Deploymnet is not a kind this tree may contain"),
            Map.entry("wrong-type", "Deployment echostream-dev/echostream-api .spec.replicas"),
            Map.entry("service-selects-nothing", "Service echostream-dev/echostream-ingest-dicom .spec.selector: selects no pod"),
            Map.entry("missing-secret", "Secret echostream-oidc-typo is neither made by an operator"),
            Map.entry("missing-claim", "PersistentVolumeClaim echostream-spoool is not in the rendered tree"),
            Map.entry("networkpolicy-selects-nothing", "NetworkPolicy echostream-dev/echostream-ingest .spec.podSelector: selects no pod"),
            Map.entry("scaled-above-partitions", "12 is above the 6 partitions of echostream.clips.v1"),
            Map.entry("secret-in-manifests", "Secret echostream-oidc: a Secret in the manifests"),
            Map.entry("writable-root", "echostream-embedder .containers[name=embedder].securityContext.readOnlyRootFilesystem: must be true"),
            Map.entry("topic-drift", "KafkaTopic echostream-dev/echostream.clips.v1 .spec.partitions: is 12, the catalogue says 6"),
            Map.entry("strimzi-unknown-field", ".spec.kafka.listeners[0].authentification: unknown field 'authentification'"),
            Map.entry("keda-unknown-field", "ScaledObject echostream/echostream-anomaly .spec.maxReplicas: unknown field 'maxReplicas'"),
            Map.entry("wrong-probe-path", "readinessProbe.httpGet.path: is /health, the service answers on /q/health/ready"),
            Map.entry("min-isr-one", ".spec.kafka.config.min.insync.replicas: is 1, must be 2"),
            Map.entry("gpu-without-cuda", "requests a GPU but ECHOSTREAM_EMBEDDER_EXECUTION_PROVIDER is cpu, not cuda"),
            Map.entry("acl-widened", "KafkaUser echostream-dev/echostream-embedder .spec: differs from the access table"));

    static Stream<Arguments> cases() {
        return EXPECTED.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejects_the_broken_overlay_with_a_finding_naming_the_object_and_the_fact(String brokenCase, String expected) {
        List<Finding> findings = Overlays.validate(Overlays.renderDirectory(CASES.resolve(brokenCase)));
        assertThat(findings).extracting(Finding::toString).anySatisfy(f -> assertThat(f).contains(expected));
    }

    @Test
    void every_broken_case_folder_has_an_expectation() throws Exception {
        try (Stream<Path> folders = Files.list(CASES)) {
            assertThat(folders.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
        }
    }
}
