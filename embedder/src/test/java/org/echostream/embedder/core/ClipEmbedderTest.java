package org.echostream.embedder.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.tensor.TokenCodec;
import org.echostream.embedder.DirectOrt;
import org.echostream.embedder.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ClipEmbedderTest {

    private static final Clock CLOCK = Clock.fixed(TestClips.T0, ZoneOffset.UTC);
    private static final int VALUES = 8 * 8; // tiny model: 8 tokens x 8 dims
    private static EmbeddingModel model;
    private static DirectOrt direct;

    @BeforeAll
    static void load() throws Exception {
        model = EmbeddingModel.open(TestClips.TINY_MODEL, TestClips.pinOf(TestClips.TINY_MODEL), OrtSettings.cpu(1));
        direct = new DirectOrt(TestClips.TINY_MODEL, new long[] {1, 1, TestClips.FRAMES, TestClips.SIZE, TestClips.SIZE});
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        direct.close();
    }

    @Test
    void every_clip_of_a_batch_matches_a_direct_onnx_runtime_call_on_that_clip() throws Exception {
        try (ClipEmbedder embedder = new ClipEmbedder(model, 4, TokenEncoding.FLOAT32, CLOCK)) {
            // Two batches through the same reused buffers, the second of another size: stale buffer contents would show.
            for (List<Clip> clips : List.of(clips(0, 4), clips(10, 3))) {
                List<EmbedOutcome> outcomes = embedder.embed(clips);
                for (int i = 0; i < clips.size(); i++) {
                    ClipLatents latents = embedded(outcomes.get(i));
                    DirectOrt.Output expected = direct.run(TestClips.unitPixels(clips.get(i)), (float) (60.0 / clips.get(i).getHeartRateBpm()));
                    assertClose(TokenCodec.decode(latents.getObservedTokens(), TokenEncoding.FLOAT32, VALUES), expected.tokens(), 1e-5f);
                    assertClose(TokenCodec.decode(latents.getPredictedTokens(), TokenEncoding.FLOAT32, VALUES), expected.predicted(), 1e-5f);
                    assertThat(latents.getTiming().getBatchSize()).isEqualTo(clips.size());
                }
            }
        }
    }

    @Test
    void stamps_identity_model_preprocessing_and_the_predicted_clip_start() {
        try (ClipEmbedder embedder = new ClipEmbedder(model, 2, TokenEncoding.FLOAT16, CLOCK)) {
            Clip clip = TestClips.clip("1.2.3.4", 3, 7);
            ClipLatents latents = embedded(embedder.embed(List.of(clip)).get(0));

            assertThat(latents.getRef()).isEqualTo(clip.getRef());
            assertThat(latents.getPredictedFirstFrame()).isEqualTo(clip.getRef().getFirstFrame() + TestClips.FRAMES);
            assertThat(latents.getModel().getName()).isEqualTo("echostream-tiny-test");
            assertThat(latents.getModel().getEncoderSha256()).isEqualTo(model.manifest().sha256Of("encoder.onnx"));
            assertThat(latents.getModel().getPredictorSha256()).isEqualTo(model.manifest().sha256Of("predictor.onnx"));
            assertThat(latents.getPreprocessingVersion()).isEqualTo(TestClips.PREPROCESSING);
            assertThat(latents.getTokenGrid()).containsExactly(2, 2, 2);
            assertThat(latents.getLatentDim()).isEqualTo(8);
            assertThat(latents.getPooledEmbedding()).hasSize(8);
            assertThat(latents.getCrop()).isEqualTo(clip.getCrop());
            assertThat(latents.getHeartRateBpm()).isEqualTo(clip.getHeartRateBpm());
            assertThat(latents.getTiming().getExecutionProvider()).isEqualTo("CPU");
            assertThat(latents.getProducedAt()).isEqualTo(TestClips.T0);
        }
    }

    @Test
    void float16_tokens_take_half_the_bytes_and_stay_within_half_precision_of_float32() {
        Clip clip = TestClips.clip("1.2.3.4", 0, 11);
        ClipLatents half;
        ClipLatents full;
        try (ClipEmbedder embedder = new ClipEmbedder(model, 1, TokenEncoding.FLOAT16, CLOCK)) {
            half = embedded(embedder.embed(List.of(clip)).get(0));
        }
        try (ClipEmbedder embedder = new ClipEmbedder(model, 1, TokenEncoding.FLOAT32, CLOCK)) {
            full = embedded(embedder.embed(List.of(clip)).get(0));
        }
        assertThat(half.getTokenEncoding()).isEqualTo(TokenEncoding.FLOAT16);
        assertThat(half.getObservedTokens().remaining()).isEqualTo(full.getObservedTokens().remaining() / 2);
        float[] h = TokenCodec.decode(half.getObservedTokens(), TokenEncoding.FLOAT16, VALUES);
        float[] f = TokenCodec.decode(full.getObservedTokens(), TokenEncoding.FLOAT32, VALUES);
        for (int i = 0; i < VALUES; i++) {
            assertThat(Math.abs(h[i] - f[i])).isLessThanOrEqualTo(Math.abs(f[i]) / 1024f + 1e-7f);
        }
    }

    @Test
    void rejects_a_clip_with_non_finite_output_and_embeds_the_rest_of_its_batch() {
        try (ClipEmbedder embedder = new ClipEmbedder(model, 4, TokenEncoding.FLOAT16, CLOCK)) {
            List<EmbedOutcome> outcomes = embedder.embed(List.of(TestClips.clip("1.2.3.4", 0, 1), TestClips.uniform("1.2.3.4", 1),
                    TestClips.clip("1.2.3.4", 2, 3)));

            assertThat(outcomes.get(0)).isInstanceOf(EmbedOutcome.Embedded.class);
            assertThat(outcomes.get(1)).isInstanceOfSatisfying(EmbedOutcome.Rejected.class, r -> {
                assertThat(r.reasonCode()).isEqualTo(RejectReasons.NON_FINITE_OUTPUT);
                assertThat(r.reasonDetail()).contains("clip 1 ", "series 1.2.3.4", "NaN", "not published");
            });
            assertThat(outcomes.get(2)).isInstanceOf(EmbedOutcome.Embedded.class);
        }
    }

    @Test
    void rejects_clips_the_model_cannot_take_with_a_reason_naming_the_clip() {
        Clip wrongShape = TestClips.builder("1.2.3.5", 0, 1).setHeight(15).setPixels(ByteBuffer.wrap(new byte[4 * 15 * 16])).build();
        Clip truncated = TestClips.builder("1.2.3.5", 1, 1).setPixels(ByteBuffer.wrap(new byte[100])).build();
        Clip otherPreprocessing = TestClips.builder("1.2.3.5", 2, 1).setPreprocessingVersion("prep-0").build();
        Clip noHeartRate = TestClips.builder("1.2.3.5", 3, 1).setHeartRateBpm(null).build();
        Clip absurdHeartRate = TestClips.builder("1.2.3.5", 4, 1).setHeartRateBpm(900.0).build();
        try (ClipEmbedder embedder = new ClipEmbedder(model, 8, TokenEncoding.FLOAT16, CLOCK)) {
            List<EmbedOutcome> outcomes = embedder.embed(List.of(wrongShape, truncated, otherPreprocessing, noHeartRate, absurdHeartRate,
                    TestClips.clip("1.2.3.5", 5, 5)));

            assertRejected(outcomes.get(0), RejectReasons.CLIP_SHAPE_MISMATCH, "4x15x16", "model takes 4x16x16");
            assertRejected(outcomes.get(1), RejectReasons.CLIP_SHAPE_MISMATCH, "carries 100 pixel bytes, expected 1024");
            assertRejected(outcomes.get(2), RejectReasons.PREPROCESSING_MISMATCH, "'prep-0'", "'prep-test'");
            assertRejected(outcomes.get(3), RejectReasons.HEART_RATE_UNUSABLE, "clip 3 ", "no heart rate");
            assertRejected(outcomes.get(4), RejectReasons.HEART_RATE_UNUSABLE, "900.0 bpm");
            assertThat(outcomes.get(5)).isInstanceOf(EmbedOutcome.Embedded.class);
        }
    }

    @Test
    void runs_more_clips_than_one_batch_in_several_batches() {
        try (ClipEmbedder embedder = new ClipEmbedder(model, 3, TokenEncoding.FLOAT16, CLOCK)) {
            List<EmbedOutcome> outcomes = embedder.embed(clips(0, 7));

            assertThat(outcomes).hasSize(7).allMatch(o -> o instanceof EmbedOutcome.Embedded);
            assertThat(outcomes.stream().map(o -> embedded(o).getTiming().getBatchSize())).containsExactly(3, 3, 3, 3, 3, 3, 1);
        }
    }

    private static List<Clip> clips(int firstSeed, int count) {
        List<Clip> clips = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clips.add(TestClips.clip("1.2.3." + (i % 2), i, firstSeed + i));
        }
        return clips;
    }

    private static ClipLatents embedded(EmbedOutcome outcome) {
        assertThat(outcome).isInstanceOf(EmbedOutcome.Embedded.class);
        return ((EmbedOutcome.Embedded) outcome).latents();
    }

    private static void assertRejected(EmbedOutcome outcome, String reason, String... detailParts) {
        assertThat(outcome).isInstanceOfSatisfying(EmbedOutcome.Rejected.class, r -> {
            assertThat(r.reasonCode()).isEqualTo(reason);
            assertThat(r.reasonDetail()).contains(detailParts);
        });
    }

    private static void assertClose(float[] actual, float[] expected, float tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < actual.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("value %d: %s vs %s", i, actual[i], expected[i]).isLessThanOrEqualTo(tolerance);
        }
    }
}
