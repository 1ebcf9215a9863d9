package org.echostream.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echostream.k8s.check.Manifest;
import org.echostream.k8s.check.Schemas;
import org.echostream.k8s.kafka.GeneratedManifests;
import org.echostream.k8s.model.ModelChecksums;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model checksums and the init container that checks a pod's model copy against them. */
class ModelChecksumsTest {

    @TempDir
    Path dir;

    @Test
    void lists_every_manifest_file_and_the_manifest_itself() throws Exception {
        Path manifest = release("encoder.onnx", "weights");
        ModelChecksums sums = ModelChecksums.of(manifest);
        assertThat(sums.sha256sums()).contains("  encoder.onnx\n").contains("  manifest.json\n");
        assertThat(sums.release()).isEqualTo("tiny 1.2.3\n");
    }

    @Test
    void rejects_a_file_name_that_leaves_the_model_folder() throws Exception {
        Path manifest = release("../etc/passwd", "x");
        assertThatThrownBy(() -> ModelChecksums.of(manifest)).hasMessageContaining("'../etc/passwd' is not a plain file name");
    }

    @Test
    void rejects_a_checksum_that_is_not_sha256() throws Exception {
        Files.writeString(dir.resolve("manifest.json"), "{\"name\":\"tiny\",\"version\":\"1\",\"files\":{\"a.onnx\":{\"sha256\":\"abc\"}}}");
        assertThatThrownBy(() -> ModelChecksums.of(dir.resolve("manifest.json"))).hasMessageContaining("a.onnx has sha256 'abc', expected 64 hex digits");
    }

    /** Runs the init container's own script (from the rendered Deployment) with sha256sum on this machine. */
    @Test
    void init_container_accepts_the_released_files_and_refuses_a_tampered_one() throws Exception {
        Path manifest = release("encoder.onnx", "weights");
        Path image = Files.createDirectories(dir.resolve("image"));
        Files.copy(manifest, image.resolve("manifest.json"));
        Files.writeString(image.resolve("encoder.onnx"), "weights");
        Path sums = Files.createDirectories(dir.resolve("sums"));
        ModelChecksums release = ModelChecksums.of(manifest);
        Files.writeString(sums.resolve("SHA256SUMS"), release.sha256sums());
        Files.writeString(sums.resolve("release"), release.release());

        assertThat(runInitScript(image, sums)).isZero();
        Files.writeString(image.resolve("encoder.onnx"), "weights, altered");
        assertThat(runInitScript(image, sums)).isNotZero();
    }

    @Test
    void model_image_tag_is_the_committed_release_version() throws Exception {
        String version = Files.readString(Overlays.K8S.resolve(GeneratedManifests.MODEL_RELEASE)).strip().split(" ")[1];
        assertThat(initContainer().getImage()).endsWith(":" + version);
    }

    private int runInitScript(Path image, Path sums) throws Exception {
        Path target = Files.createDirectories(dir.resolve("target-" + System.nanoTime()));
        String script = String.join("\n", initContainer().getArgs())
                .replace("/etc/echostream/model-checksums", sums.toString())
                .replace("/var/lib/echostream/model", target.toString())
                .replace("\"/model/", "\"" + image + "/");
        Process process = new ProcessBuilder("/bin/sh", "-c", script).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(output).isTrue();
        return process.exitValue();
    }

    private static io.fabric8.kubernetes.api.model.Container initContainer() {
        Deployment embedder = Manifest.parseAll(Overlays.render("dev")).stream()
                .filter(m -> m.kind().equals("Deployment") && m.name().equals("echostream-embedder"))
                .map(m -> (Deployment) ((Schemas.Typed) Schemas.parse(m)).value()).findFirst().orElseThrow();
        return embedder.getSpec().getTemplate().getSpec().getInitContainers().stream()
                .filter(c -> c.getName().equals("model")).findFirst().orElseThrow();
    }

    private Path release(String file, String content) throws Exception {
        String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8)));
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, "{\"name\":\"tiny\",\"version\":\"1.2.3\",\"files\":{\"" + file + "\":{\"sha256\":\"" + sha + "\",\"bytes\":"
                + content.length() + "}}}");
        return manifest;
    }

}
