package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Parity with the model release's PyTorch reference: the surprise this service computes from the golden
 * predicted and next-clip tokens equals the golden per-token and per-clip surprise. Runs wherever the model
 * release is in the tree ({@code model/release/golden}, or {@code -Dechostream.golden.dir=...}).
 */
class SurpriseGoldenTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void surprise_matches_the_model_release_reference() throws IOException {
        Path dir = Path.of(System.getProperty("echostream.golden.dir", "../model/release/golden"));
        assumeTrue(Files.isRegularFile(dir.resolve("golden.json")), "no model release golden files at " + dir.toAbsolutePath());
        JsonNode files = new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).path("files");
        JsonNode shape = files.path("predicted.f32").path("shape");
        int batch = shape.get(0).asInt();
        int tokens = shape.get(1).asInt();
        int dim = shape.get(2).asInt();
        float[] predicted = floats(dir.resolve("predicted.f32"));
        float[] observed = floats(dir.resolve("next_tokens.f32"));
        float[] perToken = floats(dir.resolve("surprise_tokens.f32"));
        float[] perClip = floats(dir.resolve("surprise_clip.f32"));

        double worst = 0;
        for (int b = 0; b < batch; b++) {
            int from = b * tokens * dim;
            Surprise s = Surprise.between(java.util.Arrays.copyOfRange(predicted, from, from + tokens * dim),
                    java.util.Arrays.copyOfRange(observed, from, from + tokens * dim), tokens, dim, CalibrationLoader.CONTRACT_LN_EPS);
            for (int n = 0; n < tokens; n++) {
                worst = Math.max(worst, Math.abs(s.perToken()[n] - perToken[b * tokens + n]));
            }
            worst = Math.max(worst, Math.abs(s.clip() - perClip[b]));
        }
        assertThat(worst).as("max |java - pytorch| over %d clips of %d tokens", batch, tokens).isLessThan(TOLERANCE);
    }

    @Test
    void pooled_embedding_feature_matches_the_model_release_reference() throws IOException {
        Path dir = Path.of(System.getProperty("echostream.golden.dir", "../model/release/golden"));
        assumeTrue(Files.isRegularFile(dir.resolve("golden.json")), "no model release golden files at " + dir.toAbsolutePath());
        JsonNode shape = new ObjectMapper().readTree(dir.resolve("golden.json").toFile()).path("files").path("tokens.f32").path("shape");
        int batch = shape.get(0).asInt();
        int tokens = shape.get(1).asInt();
        int dim = shape.get(2).asInt();
        float[] encoded = floats(dir.resolve("tokens.f32"));
        float[] pooled = floats(dir.resolve("pooled.f32"));

        double worst = 0;
        for (int b = 0; b < batch; b++) {
            double[] e = NormativeFeatures.POOLED.of(java.util.Arrays.copyOfRange(encoded, b * tokens * dim, (b + 1) * tokens * dim),
                    java.util.List.of(1, 1, tokens), dim, CalibrationLoader.CONTRACT_LN_EPS);
            for (int d = 0; d < dim; d++) {
                worst = Math.max(worst, Math.abs(e[d] - pooled[b * dim + d]));
            }
        }
        assertThat(worst).as("max |java - pytorch| of the pooled embedding").isLessThan(TOLERANCE);
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
