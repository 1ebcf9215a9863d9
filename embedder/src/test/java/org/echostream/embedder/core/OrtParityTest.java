package org.echostream.embedder.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.tensor.TokenCodec;
import org.echostream.embedder.TestClips;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX Runtime (Java) against PyTorch on the model release's golden files ({@code golden/golden.json}):
 * the raw sessions on the golden inputs, and the whole embedder path (uint8 clips, batching, pooled
 * embedding) on the same clips. Prints the max abs differences.
 *
 * <p>Runs on the tiny test model always, and on the real release when it is there: {@code ../model/release}
 * (the repository's release, seen from this module) or {@code -Dembedder.parity.model-dir=DIR}.
 */
class OrtParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> releases() {
        List<Path> dirs = new ArrayList<>(List.of(TestClips.TINY_MODEL));
        Path repositoryRelease = Path.of("..", "model", "release");
        if (Files.isRegularFile(repositoryRelease.resolve("golden/golden.json"))) {
            dirs.add(repositoryRelease);
        }
        String extra = System.getProperty("embedder.parity.model-dir");
        if (extra != null && !extra.isBlank()) {
            dirs.add(Path.of(extra));
        }
        return dirs.stream();
    }

    @ParameterizedTest
    @MethodSource("releases")
    void onnx_runtime_matches_pytorch_on_the_golden_files(Path release) throws Exception {
        Golden golden = Golden.read(release.resolve("golden"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession encoder = env.createSession(release.resolve("encoder.onnx").toString(), options);
                 OrtSession predictor = env.createSession(release.resolve("predictor.onnx").toString(), options)) {
                float encoderDiff;
                try (OnnxTensor clip = golden.floatTensor(env, "clip.f32");
                     OrtSession.Result result = encoder.run(Map.of("clip", clip))) {
                    encoderDiff = maxAbsDiff(((OnnxTensor) result.get(0)).getFloatBuffer(), golden.floats("tokens.f32"));
                }
                Map<String, OnnxTensor> inputs = new HashMap<>();
                inputs.put("context_tokens", golden.floatTensor(env, "tokens.f32"));
                inputs.put("context_positions", golden.longTensor(env, "context_positions.i64"));
                inputs.put("target_positions", golden.longTensor(env, "target_positions.i64"));
                if (golden.has("condition.f32")) {
                    inputs.put("condition", golden.floatTensor(env, "condition.f32"));
                }
                float predictorDiff;
                try (OrtSession.Result result = predictor.run(inputs)) {
                    predictorDiff = maxAbsDiff(((OnnxTensor) result.get(0)).getFloatBuffer(), golden.floats("predicted.f32"));
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
                System.out.printf("ORT-vs-PyTorch parity %s: encoder tokens max|diff| = %.3g, predictor max|diff| = %.3g (tolerance %.1g)%n",
                        release, encoderDiff, predictorDiff, golden.tolerance());
                assertThat(encoderDiff).as("encoder max abs diff").isLessThanOrEqualTo((float) golden.tolerance());
                assertThat(predictorDiff).as("predictor max abs diff").isLessThanOrEqualTo((float) golden.tolerance());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("releases")
    void the_embedder_reproduces_pytorch_from_uint8_clips(Path release) throws Exception {
        Golden golden = Golden.read(release.resolve("golden"));
        float[] unit = golden.floats("clip.f32");
        long[] shape = golden.shape("clip.f32"); // [B, 1, T, H, W]
        int batch = (int) shape[0];
        int perClip = unit.length / batch;
        float[] rr = golden.has("condition.f32") ? golden.floats("condition.f32") : new float[batch];
        List<Clip> clips = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            byte[] pixels = new byte[perClip];
            for (int i = 0; i < perClip; i++) {
                float v = unit[b * perClip + i] * 255f;
                pixels[i] = (byte) Math.round(v);
                assertThat(Math.abs(v - Math.round(v))).as("golden clip values are uint8 / 255").isLessThan(1e-3f);
            }
            clips.add(TestClips.builder("1.2.3." + b, b, b)
                    .setFrames((int) shape[2]).setHeight((int) shape[3]).setWidth((int) shape[4])
                    .setPixels(ByteBuffer.wrap(pixels)).setHeartRateBpm(rr[b] > 0 ? 60.0 / rr[b] : 72.0)
                    .setPreprocessingVersion(org.echostream.contracts.model.ModelManifest.read(release.resolve("manifest.json")).preprocessingVersion())
                    .build());
        }
        try (EmbeddingModel model = EmbeddingModel.open(release, TestClips.pinOf(release), OrtSettings.cpu(2));
             ClipEmbedder embedder = new ClipEmbedder(model, batch, TokenEncoding.FLOAT32, Clock.fixed(TestClips.T0, ZoneOffset.UTC))) {
            List<EmbedOutcome> outcomes = embedder.embed(clips);
            int values = model.tokensPerClip() * model.latentDim();
            float[] tokens = golden.floats("tokens.f32");
            float[] predicted = golden.floats("predicted.f32");
            float[] pooled = golden.floats("pooled.f32");
            float tokenDiff = 0;
            float predictedDiff = 0;
            float pooledDiff = 0;
            for (int b = 0; b < batch; b++) {
                assertThat(outcomes.get(b)).isInstanceOf(EmbedOutcome.Embedded.class);
                ClipLatents latents = ((EmbedOutcome.Embedded) outcomes.get(b)).latents();
                float[] observed = TokenCodec.decode(latents.getObservedTokens(), TokenEncoding.FLOAT32, values);
                float[] next = TokenCodec.decode(latents.getPredictedTokens(), TokenEncoding.FLOAT32, values);
                for (int i = 0; i < values; i++) {
                    tokenDiff = Math.max(tokenDiff, Math.abs(observed[i] - tokens[b * values + i]));
                    if (golden.has("condition.f32")) {
                        predictedDiff = Math.max(predictedDiff, Math.abs(next[i] - predicted[b * values + i]));
                    }
                }
                for (int d = 0; d < model.latentDim(); d++) {
                    pooledDiff = Math.max(pooledDiff, Math.abs(latents.getPooledEmbedding().get(d) - pooled[b * model.latentDim() + d]));
                }
            }
            System.out.printf("embedder-vs-PyTorch %s (uint8 clips, batch %d): tokens max|diff| = %.3g, predicted %.3g, pooled %.3g%n",
                    release, batch, tokenDiff, predictedDiff, pooledDiff);
            assertThat(tokenDiff).isLessThanOrEqualTo((float) golden.tolerance());
            assertThat(predictedDiff).isLessThanOrEqualTo((float) golden.tolerance());
            assertThat(pooledDiff).isLessThanOrEqualTo((float) golden.tolerance());
        }
    }

    static float maxAbsDiff(FloatBuffer actual, float[] expected) {
        assertThat(actual.remaining()).as("output size").isEqualTo(expected.length);
        float max = 0;
        for (float e : expected) {
            max = Math.max(max, Math.abs(actual.get() - e));
        }
        return max;
    }

    /** golden.json and its raw little-endian files. */
    record Golden(Path dir, JsonNode description) {
        static Golden read(Path dir) throws IOException {
            return new Golden(dir, JSON.readTree(dir.resolve("golden.json").toFile()));
        }

        boolean has(String file) {
            return description.path("files").has(file) && Files.exists(dir.resolve(file));
        }

        double tolerance() {
            return description.path("tolerance_max_abs").asDouble(1e-4);
        }

        long[] shape(String file) {
            JsonNode node = description.path("files").path(file).path("shape");
            long[] shape = new long[node.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = node.get(i).asLong();
            }
            return shape;
        }

        ByteBuffer bytes(String file) throws IOException {
            return ByteBuffer.wrap(Files.readAllBytes(dir.resolve(file))).order(ByteOrder.LITTLE_ENDIAN);
        }

        float[] floats(String file) throws IOException {
            FloatBuffer buffer = bytes(file).asFloatBuffer();
            float[] out = new float[buffer.remaining()];
            buffer.get(out);
            return out;
        }

        OnnxTensor floatTensor(OrtEnvironment env, String file) throws IOException, OrtException {
            return OnnxTensor.createTensor(env, FloatBuffer.wrap(floats(file)), shape(file));
        }

        OnnxTensor longTensor(OrtEnvironment env, String file) throws IOException, OrtException {
            LongBuffer buffer = bytes(file).asLongBuffer();
            long[] values = new long[buffer.remaining()];
            buffer.get(values);
            return OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape(file));
        }
    }
}
