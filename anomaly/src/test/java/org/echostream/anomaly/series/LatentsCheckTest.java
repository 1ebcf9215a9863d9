package org.echostream.anomaly.series;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.echostream.anomaly.scoring.ModelRelease;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.TokenEncoding;
import org.junit.jupiter.api.Test;

class LatentsCheckTest {

    static final String SERIES = "1.2.826.0.1.3680043.8.498.8.1";
    static final ModelRelease RELEASE = new ModelRelease(SyntheticLatents.MODEL_NAME, SyntheticLatents.MODEL_VERSION,
            SyntheticLatents.PREPROCESSING, SyntheticLatents.GRID, SyntheticLatents.DIM, 64, 64,
            SyntheticLatents.MODEL.getEncoderSha256(), SyntheticLatents.MODEL.getPredictorSha256(), "c".repeat(64));
    static final ClipLatents GOOD = SyntheticLatents.loop(SERIES, SERIES + ".1", 3, 31).build().get(1);

    private final LatentsCheck check = new LatentsCheck(RELEASE);

    @Test
    void accepts_a_record_of_the_calibrated_model() {
        assertThat(check.check(SERIES, GOOD)).isEmpty();
    }

    @Test
    void refuses_a_key_that_is_not_the_series() {
        assertRefused(check.check("1.2.3", GOOD), Refusal.KEY_MISMATCH, "'1.2.3'");
        assertRefused(check.check(null, GOOD), Refusal.KEY_MISMATCH, "missing");
    }

    @Test
    void refuses_latents_of_another_model_or_preprocessing() {
        assertRefused(check.check(SERIES, with(b -> b.setModel(ModelRef.newBuilder(SyntheticLatents.MODEL).setVersion("2.0.0").build()))),
                Refusal.MODEL_MISMATCH, "2.0.0");
        assertRefused(check.check(SERIES, with(b -> b.setPreprocessingVersion("prep-0"))), Refusal.PREPROCESSING_MISMATCH, "prep-0");
    }

    @Test
    void refuses_latents_of_the_same_name_and_version_from_other_encoder_or_predictor_files() {
        String other = "9".repeat(64);
        assertRefused(check.check(SERIES, with(b -> b.setModel(ModelRef.newBuilder(SyntheticLatents.MODEL).setEncoderSha256(other).build()))),
                Refusal.MODEL_MISMATCH, "encoder sha256 " + other);
        assertRefused(check.check(SERIES, with(b -> b.setModel(ModelRef.newBuilder(SyntheticLatents.MODEL).setPredictorSha256(other).build()))),
                Refusal.MODEL_MISMATCH, "predictor sha256 " + other);
    }

    @Test
    void refuses_another_token_layout() {
        assertRefused(check.check(SERIES, with(b -> b.setTokenGrid(List.of(2, 2, 8)))), Refusal.SHAPE_MISMATCH, "[2, 2, 8]");
        assertRefused(check.check(SERIES, with(b -> b.setLatentDim(8))), Refusal.SHAPE_MISMATCH, "x 8");
    }

    @Test
    void refuses_a_record_that_contradicts_itself() {
        assertRefused(check.check(SERIES, with(b -> b.setClipsInLoop(1))), Refusal.INVALID_LATENTS, "outside a loop of 1");
        assertRefused(check.check(SERIES, with(b -> b.setPredictedFirstFrame(GOOD.getRef().getFirstFrame()))),
                Refusal.INVALID_LATENTS, "prediction for frame");
        assertRefused(check.check(SERIES, with(b -> b.setFps(0))), Refusal.INVALID_LATENTS, "0.0 fps");
        assertRefused(check.check(SERIES, with(b -> b.setCrop(CropGeometry.newBuilder(GOOD.getCrop()).setScale(0).build()))),
                Refusal.INVALID_LATENTS, "scale 0.0");
        assertRefused(check.check(SERIES, with(b -> b.setRef(ClipRef.newBuilder(GOOD.getRef()).setEndSeconds(-1).build()))),
                Refusal.INVALID_LATENTS, "not a valid timing");
    }

    @Test
    void refuses_token_bytes_that_do_not_match_the_declared_shape_or_are_not_finite() {
        assertRefused(check.check(SERIES, with(b -> b.setObservedTokens(ByteBuffer.wrap(new byte[100])))),
                Refusal.INVALID_LATENTS, "observed tokens: token tensor holds 100 bytes");
        float[] values = new float[SyntheticLatents.TOKENS * SyntheticLatents.DIM];
        values[7] = Float.NaN;
        assertRefused(check.check(SERIES, with(b -> b.setPredictedTokens(SyntheticLatents.bytes(values, TokenEncoding.FLOAT16)))),
                Refusal.INVALID_LATENTS, "predicted token value 7 is NaN");
        assertRefused(check.check(SERIES, with(b -> b.setPooledEmbedding(List.of(1f)))), Refusal.INVALID_LATENTS, "pooled embedding has 1");
    }

    private static ClipLatents with(UnaryOperator<ClipLatents.Builder> change) {
        return change.apply(ClipLatents.newBuilder(GOOD)).build();
    }

    private static void assertRefused(Optional<Refusal> refusal, String code, String detail) {
        assertThat(refusal).hasValueSatisfying(r -> {
            assertThat(r.reasonCode()).isEqualTo(code);
            assertThat(r.detail()).contains(detail).contains("series " + SERIES);
        });
    }
}
