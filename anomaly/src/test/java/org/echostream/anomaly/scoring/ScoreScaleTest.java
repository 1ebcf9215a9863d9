package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoreScaleTest {

    private static final Map<Double, Double> TABLE = Map.of(0.5, 0.20, 0.9, 0.24, 0.95, 0.25, 0.99, 0.28, 0.999, 0.40);

    @Test
    void scores_zero_at_the_normal_median_and_one_at_the_threshold_quantile() {
        ScoreScale scale = ScoreScale.fromQuantiles("clip", TABLE, 0.99);
        assertThat(scale.score(0.20)).isZero();
        assertThat(scale.score(0.28)).isCloseTo(1.0, within(1e-12));
        assertThat(scale.score(0.36)).isCloseTo(2.0, within(1e-12));
        assertThat(scale.score(0.12)).isCloseTo(-1.0, within(1e-12));
    }

    @Test
    void interpolates_a_quantile_the_table_does_not_list() {
        ScoreScale scale = ScoreScale.fromQuantiles("clip", TABLE, 0.97);
        assertThat(scale.threshold()).isCloseTo(0.25 + 0.5 * (0.28 - 0.25), within(1e-12));
    }

    @Test
    void ignores_quantiles_without_a_value_and_names_what_is_missing() {
        Map<Double, Double> placeholder = new HashMap<>();
        placeholder.put(0.5, null);
        placeholder.put(0.99, null);
        assertThatThrownBy(() -> ScoreScale.fromQuantiles("calibration.json surprise.per_clip", placeholder, 0.99))
                .hasMessageContaining("surprise.per_clip").hasMessageContaining("quantile 0.5").hasMessageContaining("none has a value");
    }

    @Test
    void refuses_a_threshold_quantile_beyond_the_table() {
        assertThatThrownBy(() -> ScoreScale.fromQuantiles("clip", TABLE, 0.9999)).hasMessageContaining("outside the calibrated quantiles");
    }

    @Test
    void refuses_a_threshold_that_does_not_lie_above_the_median() {
        assertThatThrownBy(() -> ScoreScale.fromQuantiles("clip", Map.of(0.5, 0.3, 0.99, 0.3), 0.99))
                .hasMessageContaining("must lie above the median");
    }
}
