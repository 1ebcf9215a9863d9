package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class SeriesRuleTest {

    private static final SeriesRule.General.Component SURPRISE =
            new SeriesRule.General.Component("surprise_mean_mean", SeriesMeasure.SURPRISE_MEAN, false, 0.2, 0.02, 1.0);
    private static final SeriesRule.General.Component REGIONAL =
            new SeriesRule.General.Component("motion_deficit_regional_max", SeriesMeasure.MOTION_DEFICIT_REGIONAL, true, 1.0, 0.5, 1.0);

    private static SeriesRule.Figures figures(MeasureTally tally, int scoredClips) {
        return new SeriesRule.Figures(scoredClips, 0, 0, 0, 0, 0, tally);
    }

    private static SeriesRule.General rule(SeriesRule.General.Combine combine) {
        return new SeriesRule.General(List.of(SURPRISE, REGIONAL), combine, OptionalDouble.of(2.0), OptionalDouble.empty(),
                Optional.empty());
    }

    @Test
    void max_is_an_or_of_detectors_and_sum_adds_the_z_scores() {
        MeasureTally tally = new MeasureTally();
        tally.add(SeriesMeasure.SURPRISE_MEAN, 0.22);
        tally.add(SeriesMeasure.SURPRISE_MEAN, 0.26);                    // mean 0.24 -> z = 2
        tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, -3.0);
        tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, 0.5);           // max 0.5 -> z = -1

        assertThat(rule(SeriesRule.General.Combine.MAX).score(figures(tally, 2))).isCloseTo(2.0, within(1e-9));
        assertThat(rule(SeriesRule.General.Combine.SUM).score(figures(tally, 2))).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void a_maximum_of_negative_values_is_the_largest_negative_value() {
        MeasureTally tally = new MeasureTally();
        tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, -3.0);
        tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, -2.0);

        assertThat(tally.aggregate(SeriesMeasure.MOTION_DEFICIT_REGIONAL, true)).hasValue(-2.0);
        assertThat(tally.aggregate(SeriesMeasure.MOTION_DEFICIT_REGIONAL, false)).hasValue(-2.5);
        assertThat(tally.aggregate(SeriesMeasure.NORMATIVE, true)).isEmpty();
    }

    @Test
    void components_without_values_are_left_out_and_a_series_without_scored_clips_scores_zero() {
        MeasureTally tally = new MeasureTally();
        tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, 2.0);           // z = 2; no surprise yet

        assertThat(rule(SeriesRule.General.Combine.SUM).score(figures(tally, 0))).isZero();
        assertThat(rule(SeriesRule.General.Combine.SUM).score(figures(tally, 1))).isCloseTo(2.0, within(1e-9));
        assertThat(rule(SeriesRule.General.Combine.MAX).score(figures(new MeasureTally(), 1))).isZero();
        assertThat(rule(SeriesRule.General.Combine.SUM).describe())
                .isEqualTo("sum(z(surprise_mean_mean), z(motion_deficit_regional_max))");
    }

    @Test
    void top_surprise_averages_the_rounded_share_of_largest_tokens() {
        float[] perToken = {0.1f, 0.5f, 0.2f, 0.9f, 0.3f, 0.4f, 0.0f, 0.8f, 0.6f, 0.7f};
        assertThat(SeriesMeasure.topCount(10, 0.2)).isEqualTo(2);
        assertThat(SeriesMeasure.topCount(10, 0.25)).as("2.5 rounds half up").isEqualTo(3);
        assertThat(SeriesMeasure.topCount(10, 0.01)).as("at least one token").isEqualTo(1);
        assertThat(SeriesMeasure.topMean(perToken, 0.2)).isCloseTo(0.85, within(1e-6));
    }

    @Test
    void motion_deficits_are_standardised_per_location_and_globally() {
        MotionNorms norms = new MotionNorms(new double[] {0.5, 0.4}, new double[] {0.1, 0.2}, 0.45, 0.05);
        double[] motion = {0.3, 0.4};                                    // cell 0 moves 2 std less than normal

        assertThat(norms.regional(motion)).isCloseTo(2.0, within(1e-9));
        assertThat(norms.global(motion)).isCloseTo(2.0, within(1e-9));   // (0.45 - 0.35) / 0.05
    }
}
