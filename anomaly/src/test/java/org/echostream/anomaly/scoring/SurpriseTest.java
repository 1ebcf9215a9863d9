package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.tensor.TokenCodec;
import org.junit.jupiter.api.Test;

class SurpriseTest {

    private static final double EPS = 1e-5;

    @Test
    void identical_tokens_are_not_surprising() {
        float[] tokens = gaussian(new Random(1), 8 * 16);
        Surprise s = Surprise.between(tokens, tokens.clone(), 8, 16, EPS);
        assertThat(s.clip()).isZero();
        assertThat(s.perToken()).containsOnly(0f);
    }

    @Test
    void matches_the_contract_formula_on_a_hand_computed_token() {
        // observed (1, 3): mean 2, biased variance 1 -> LN = (-1, 1) / sqrt(1 + eps); predicted (5, 5): LN = (0, 0).
        Surprise s = Surprise.between(new float[] {5, 5}, new float[] {1, 3}, 1, 2, EPS);
        assertThat(s.perToken()[0]).isCloseTo((float) (1 / Math.sqrt(1 + EPS)), within(1e-6f));
        assertThat(s.clip()).isCloseTo(1 / Math.sqrt(1 + EPS), within(1e-9));
    }

    @Test
    void a_token_predicted_up_to_scale_and_offset_is_not_surprising() {
        Random random = new Random(2);
        float[] observed = gaussian(random, 4 * 32);
        float[] predicted = new float[observed.length];
        for (int i = 0; i < observed.length; i++) {
            predicted[i] = 3 * observed[i] + 2;
        }
        assertThat(Surprise.between(predicted, observed, 4, 32, EPS).clip()).isLessThan(1e-5);
    }

    @Test
    void clip_surprise_is_the_mean_over_tokens_and_tokens_keep_their_order() {
        Random random = new Random(3);
        float[] observed = gaussian(random, 3 * 8);
        float[] predicted = observed.clone();
        for (int d = 0; d < 8; d++) {
            predicted[2 * 8 + d] += (float) random.nextGaussian(); // only the last token is off
        }
        Surprise s = Surprise.between(predicted, observed, 3, 8, EPS);
        assertThat(s.perToken()[0]).isZero();
        assertThat(s.perToken()[1]).isZero();
        assertThat(s.perToken()[2]).isPositive();
        assertThat(s.clip()).isCloseTo(s.perToken()[2] / 3.0, within(1e-7));
    }

    @Test
    void float16_transport_changes_clip_surprise_by_less_than_a_tenth_of_a_percent() {
        Random random = new Random(4);
        double worst = 0;
        for (int trial = 0; trial < 50; trial++) {
            float[] observed = gaussian(random, 512 * 96);
            float[] predicted = observed.clone();
            for (int i = 0; i < predicted.length; i++) {
                predicted[i] += (float) (random.nextGaussian() * 0.3);
            }
            double exact = Surprise.between(predicted, observed, 512, 96, EPS).clip();
            double viaFloat16 = Surprise.between(roundTrip(predicted), roundTrip(observed), 512, 96, EPS).clip();
            worst = Math.max(worst, Math.abs(viaFloat16 - exact) / exact);
        }
        System.out.printf("float16 transport: worst relative change of clip surprise over 50 clips = %.2e%n", worst);
        assertThat(worst).isLessThan(0.001);
    }

    @Test
    void refuses_tensors_of_the_wrong_size_naming_both() {
        assertThatThrownBy(() -> Surprise.between(new float[10], new float[12], 3, 4, EPS))
                .hasMessageContaining("3 x 4 = 12").hasMessageContaining("predicted 10");
    }

    private static float[] roundTrip(float[] values) {
        return TokenCodec.decode(TokenCodec.encode(values, TokenEncoding.FLOAT16), TokenEncoding.FLOAT16, values.length);
    }

    static float[] gaussian(Random random, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }
}
