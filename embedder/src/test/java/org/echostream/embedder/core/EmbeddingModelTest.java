package org.echostream.embedder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.echostream.contracts.model.InvalidModelException;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.embedder.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingModelTest {

    @TempDir
    Path dir;

    @Test
    void loads_the_release_and_reports_its_identity() {
        try (EmbeddingModel model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), OrtSettings.cpu(1))) {
            assertThat(model.modelRef().getName()).isEqualTo("echostream-tiny-test");
            assertThat(model.modelRef().getVersion()).isEqualTo("0.0.1-test");
            assertThat(model.tokensPerClip()).isEqualTo(8);
            assertThat(model.condition().names()).containsExactly("rr_s");
            assertThat(model.provider()).isEqualTo(ExecutionProvider.CPU);
        }
    }

    @Test
    void refuses_a_tampered_encoder_naming_the_file_and_both_hashes() throws IOException {
        Path release = copyOfTinyModel();
        Files.write(release.resolve("encoder.onnx"), new byte[] {0}, StandardOpenOption.APPEND);

        assertThatThrownBy(() -> EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("encoder.onnx has sha256")
                .hasMessageContaining("but the manifest says")
                .hasMessageContaining("refusing");
    }

    @Test
    void refuses_a_release_whose_files_and_manifest_were_replaced_together_naming_the_pin() throws IOException {
        String pinned = TestClips.pinOf(TestClips.TINY_MODEL);
        Path release = copyOfTinyModel();
        Path predictor = release.resolve("predictor.onnx");
        String released = ModelManifest.sha256(predictor);
        Files.write(predictor, new byte[] {0}, StandardOpenOption.APPEND);
        Path manifest = release.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace(released, ModelManifest.sha256(predictor)));

        assertThatThrownBy(() -> EmbeddingModel.open(release, pinned, OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("echostream.model.release-sha256 pins " + pinned)
                .hasMessageContaining("refusing a release that is not the pinned one");
    }

    @Test
    void refuses_a_manifest_entry_that_points_outside_the_model_directory() throws IOException {
        Path release = copyOfTinyModel();
        String manifest = Files.readString(release.resolve("manifest.json"));
        Files.writeString(release.resolve("manifest.json"), manifest.replace("\"predictor.onnx\": {", "\"../predictor.onnx\": {"));

        assertThatThrownBy(() -> EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("predictor.onnx");
        Files.writeString(release.resolve("manifest.json"), manifest.replace("\"files\": {", "\"files\": {\"../../etc/passwd\": {\"sha256\": \"00\", \"bytes\": 1},"));
        assertThatThrownBy(() -> EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("points outside the model directory");
    }

    @Test
    void refuses_a_directory_without_a_manifest_and_says_which_key_to_set() {
        assertThatThrownBy(() -> EmbeddingModel.open(dir, "0".repeat(64), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("has no manifest.json")
                .hasMessageContaining("echostream.model.dir");
    }

    @Test
    void refuses_a_predictor_condition_it_cannot_compute() throws IOException {
        Path release = copyOfTinyModel();
        String manifest = Files.readString(release.resolve("manifest.json"));
        Files.writeString(release.resolve("manifest.json"), manifest.replace("\"rr_s\"", "\"ejection_fraction\""));

        assertThatThrownBy(() -> EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("predictor condition 'ejection_fraction' is unknown");
    }

    @Test
    void refuses_a_manifest_whose_shapes_disagree_with_the_onnx_graph() throws IOException {
        Path release = copyOfTinyModel();
        String manifest = Files.readString(release.resolve("manifest.json"));
        Files.writeString(release.resolve("manifest.json"), manifest.replace("\"dim\": 8", "\"dim\": 96"));

        assertThatThrownBy(() -> EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(1)))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("tensor 'tokens' has shape");
    }

    @Test
    void falls_back_to_cpu_when_the_cuda_provider_cannot_load() {
        // The default build carries the CPU-only ONNX Runtime, so CUDA can never load here: the GPU path's CPU sibling.
        try (EmbeddingModel model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), new OrtSettings(ExecutionProvider.CUDA, 0, 1, 1))) {
            assertThat(model.provider()).isEqualTo(ExecutionProvider.CPU);
        }
    }

    private Path copyOfTinyModel() throws IOException {
        Path release = dir.resolve("release");
        Files.createDirectories(release);
        try (Stream<Path> files = Files.list(TestClips.TINY_MODEL)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, release.resolve(file.getFileName()));
            }
        }
        return release;
    }
}
