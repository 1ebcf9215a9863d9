package org.echostream.contracts.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelManifestTest {

    private static final String CLIP_AND_TOKENS = """
              "preprocessingVersion": "prep-1",
              "clip": {"frames": 16, "height": 64, "width": 64, "channels": 1, "fps": 12.0, "horizonFrames": 16},
              "tokens": {"grid": [8, 8, 8], "tubelet": [2, 8, 8], "dim": 96, "order": "time-row-column"},
            """;

    @TempDir
    Path dir;

    @Test
    void reads_the_release_layout_with_model_key_and_slot_ranges() throws IOException {
        ModelManifest manifest = ModelManifest.read(write("""
                {"model": "echostream-echojepa-tiny", "version": "0.0.1-placeholder",
                """ + CLIP_AND_TOKENS + """
                  "predictor": {"contextSlots": [0, 7], "targetSlots": [8, 15], "maxTimeSlots": 32, "condition": ["rr_s"]},
                  "files": {"encoder.onnx": {"sha256": "ab", "bytes": 3}}}
                """));

        assertThat(manifest.name()).isEqualTo("echostream-echojepa-tiny");
        assertThat(manifest.predictor().contextSlots()).isEqualTo(8);
        assertThat(manifest.predictor().targetSlots()).isEqualTo(8);
        assertThat(manifest.predictor().condition()).containsExactly("rr_s");
        assertThat(manifest.tokens().tokensPerClip()).isEqualTo(512);
    }

    @Test
    void reads_the_record_layout_with_name_key_and_slot_counts() throws IOException {
        ModelManifest manifest = ModelManifest.read(write("""
                {"name": "m", "version": "1",
                """ + CLIP_AND_TOKENS + """
                  "predictor": {"contextSlots": 8, "targetSlots": 8}}
                """));

        assertThat(manifest.name()).isEqualTo("m");
        assertThat(manifest.predictor().contextSlots()).isEqualTo(8);
        assertThat(manifest.predictor().condition()).isEmpty();
    }

    @Test
    void rejects_a_slot_range_that_runs_backwards_naming_the_key() throws IOException {
        Path file = write("""
                {"name": "m", "version": "1",
                """ + CLIP_AND_TOKENS + """
                  "predictor": {"contextSlots": [7, 0], "targetSlots": 8}}
                """);

        assertThatThrownBy(() -> ModelManifest.read(file))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("predictor.contextSlots");
    }

    @Test
    void a_release_whose_files_and_manifest_were_replaced_together_is_refused_by_the_pin() throws IOException {
        Path released = write("""
                {"name": "m", "version": "1",
                """ + CLIP_AND_TOKENS + """
                  "files": {"encoder.onnx": {"sha256": "%s", "bytes": 7}}}
                """.formatted(ModelManifest.sha256("weights".getBytes())));
        String pin = ModelManifest.sha256(released);
        assertThat(ModelManifest.readPinned(released, pin).version()).isEqualTo("1");

        // Someone swaps in other weights and rewrites the manifest to match: every file checks out against it...
        Files.writeString(dir.resolve("encoder.onnx"), "poisoned");
        Path tampered = write(Files.readString(released).replace(ModelManifest.sha256("weights".getBytes()),
                ModelManifest.sha256("poisoned".getBytes())));
        ModelManifest.read(tampered).verify(dir);
        // ...but not against the pin in the service's configuration.
        assertThatThrownBy(() -> ModelManifest.readPinned(tampered, pin))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("has sha256 " + ModelManifest.sha256(tampered))
                .hasMessageContaining(ModelManifest.PIN_KEY + " pins " + pin);
    }

    @Test
    void a_pin_that_is_not_a_sha256_is_refused_naming_the_key() throws IOException {
        Path file = write("{}");
        assertThatThrownBy(() -> ModelManifest.readPinned(file, "latest"))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining(ModelManifest.PIN_KEY + " must be the 64 lower-case hex digits");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("manifest.json"), json);
    }
}
