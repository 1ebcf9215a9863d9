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

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("manifest.json"), json);
    }
}
