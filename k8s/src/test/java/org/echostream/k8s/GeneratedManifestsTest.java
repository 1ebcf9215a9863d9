package org.echostream.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.strimzi.api.kafka.model.topic.KafkaTopic;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.echostream.contracts.kafka.Topic;
import org.echostream.contracts.kafka.Topics;
import org.echostream.k8s.check.Manifest;
import org.echostream.k8s.check.Schemas;
import org.echostream.k8s.kafka.GeneratedManifests;
import org.echostream.k8s.kafka.ServiceAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The derived files of the tree (KafkaTopics, KafkaUsers, the lag reader, the model checksums) are exactly what
 * their sources generate today, so the catalogue, the access table, the model release and the manifests never
 * drift. Run once with -Dechostream.writeGeneratedManifests=true to rewrite them.
 */
class GeneratedManifestsTest {

    static final Path MODEL_MANIFEST = Overlays.K8S.resolve(GeneratedManifests.MODEL_MANIFEST).normalize();

    @Test
    void committed_generated_files_equal_what_the_catalogue_access_table_and_model_release_generate() throws Exception {
        Optional<Path> manifest = Files.isRegularFile(MODEL_MANIFEST) ? Optional.of(MODEL_MANIFEST) : Optional.empty();
        if (Boolean.getBoolean("echostream.writeGeneratedManifests")) {
            GeneratedManifests.write(Overlays.K8S, manifest);
        }
        for (Map.Entry<String, String> file : GeneratedManifests.expected(manifest).entrySet()) {
            assertThat(Files.readString(Overlays.K8S.resolve(file.getKey())))
                    .as("k8s/%s is out of date: run .tools/apache-maven-3.9.16/bin/mvn -B -pl k8s -am verify -Dechostream.writeGeneratedManifests=true", file.getKey())
                    .isEqualTo(file.getValue());
        }
    }

    static final java.util.List<String> OVERLAYS = Overlays.ALL;

    /** The promise, said directly: the rendered KafkaTopics are the catalogue, topic for topic. */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void rendered_kafka_topics_equal_the_topic_catalogue(String overlay) {
        Map<String, String> rendered = Manifest.parseAll(Overlays.render(overlay)).stream()
                .filter(m -> m.kind().equals("KafkaTopic")).map(Schemas::parse)
                .map(p -> (KafkaTopic) ((Schemas.Typed) p).value())
                .collect(Collectors.toMap(t -> t.getSpec().getTopicName(), GeneratedManifestsTest::describe, (a, b) -> a + " AND " + b, TreeMap::new));
        Map<String, String> catalogue = Topics.all().stream()
                .collect(Collectors.toMap(Topic::name, GeneratedManifestsTest::describe, (a, b) -> a, TreeMap::new));
        assertThat(rendered).isEqualTo(catalogue);
    }

    @Test
    void every_catalogue_topic_has_a_writer_and_only_the_api_and_findings_read_patient_data() {
        for (Topic<?, ?> topic : Topics.all()) {
            assertThat(ServiceAccess.all()).as("a service writes %s", topic.name()).anyMatch(s -> s.writes().contains(topic));
            if (topic.patientData()) {
                assertThat(ServiceAccess.all().stream().filter(s -> s.reads().contains(topic)).map(ServiceAccess::service))
                        .as("services that may read patient data from %s", topic.name())
                        // findings puts the patient and study module into the SR it sends to the PACS; feedback
                        // comments (free text) are read back by the api alone
                        .isNotEmpty().isSubsetOf("api", "findings");
            }
        }
    }

    private static String describe(KafkaTopic t) {
        Map<String, String> config = new TreeMap<>();
        t.getSpec().getConfig().forEach((k, v) -> config.put(k, String.valueOf(v)));
        return t.getSpec().getPartitions() + " partitions, " + t.getSpec().getReplicas() + " replicas, " + config;
    }

    private static String describe(Topic<?, ?> t) {
        return t.partitions() + " partitions, 3 replicas, " + new TreeMap<>(t.configs());
    }
}
