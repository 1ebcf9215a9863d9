package org.echostream.k8s.kafka;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.echostream.contracts.kafka.Topics;
import org.echostream.k8s.model.ModelChecksums;

/**
 * The files of the Kustomize tree that are derived, not written by hand: KafkaTopics from the topic
 * catalogue, KafkaUsers from the access table, and the model checksums from the model release's manifest.
 * Tests compare the committed files with {@link #expected}; {@link #main} (or the tests with
 * {@code -Dechostream.writeGeneratedManifests=true}) rewrites them.
 */
public final class GeneratedManifests {

    public static final String TOPICS = "components/strimzi/kafka-topics.yaml";
    public static final String USERS = "components/strimzi/kafka-users.yaml";
    public static final String LAG_READER = "components/keda/kafka-user-lag-reader.yaml";
    public static final String MODEL_SUMS = "base/model/SHA256SUMS";
    public static final String MODEL_RELEASE = "base/model/release";
    /** The committed model release, relative to the k8s folder (produced by the model module). */
    public static final String MODEL_MANIFEST = "../model/release/manifest.json";

    /** Services that KEDA scales on consumer lag (components/keda). */
    public static final List<ServiceAccess> SCALED_ON_LAG = List.of(ServiceAccess.EMBEDDER, ServiceAccess.ANOMALY);

    private GeneratedManifests() {
    }

    /** Relative path (inside the k8s folder) to content; the model files only when a model manifest is given. */
    public static Map<String, String> expected(Optional<Path> modelManifest) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(TOPICS, KafkaTopicManifests.render(Topics.all()));
        files.put(USERS, KafkaUserManifests.renderServices(ServiceAccess.all()));
        files.put(LAG_READER, KafkaUserManifests.renderLagReader(SCALED_ON_LAG));
        modelManifest.map(ModelChecksums::of).ifPresent(sums -> {
            files.put(MODEL_SUMS, sums.sha256sums());
            files.put(MODEL_RELEASE, sums.release());
        });
        return files;
    }

    public static void write(Path k8sDir, Optional<Path> modelManifest) throws IOException {
        for (var file : expected(modelManifest).entrySet()) {
            Path target = k8sDir.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
    }

    /** Usage: GeneratedManifests [K8S_DIR [MODEL_MANIFEST]]; defaults: current folder and ../model/release/manifest.json. */
    public static void main(String[] args) throws IOException {
        Path k8sDir = Path.of(args.length > 0 ? args[0] : ".");
        Path manifest = args.length > 1 ? Path.of(args[1]) : k8sDir.resolve(MODEL_MANIFEST);
        write(k8sDir, Files.isRegularFile(manifest) ? Optional.of(manifest) : Optional.empty());
        System.out.println("generated manifests written under " + k8sDir.toAbsolutePath().normalize()
                + (Files.isRegularFile(manifest) ? " (model checksums from " + manifest + ")" : " (no model manifest at " + manifest + ")"));
    }
}
