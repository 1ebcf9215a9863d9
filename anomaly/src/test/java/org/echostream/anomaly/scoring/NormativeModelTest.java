package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormativeModelTest {

    private static final ScoreScale SCALE = new ScoreScale(1.0, 3.0, 0.99);
    private static final NormativeFeatures ANY = NormativeFeatures.POOLED;

    @Test
    void diagonal_distance_whitens_each_feature_and_reports_it_per_feature() {
        NormativeModel model = new NormativeModel.Diagonal(new double[] {1, 2}, new double[] {2, 0.5}, SCALE, ANY);
        // ((5 - 1) / 2, (2.5 - 2) / 0.5) = (2, 1): d2 = 5 over 2 features
        assertThat(model.distance(new double[] {5, 2.5})).isCloseTo(Math.sqrt(5 / 2.0), within(1e-12));
        assertThat(model.score(new double[] {1, 2})).isCloseTo(-0.5, within(1e-12));
    }

    @Test
    void low_rank_along_the_axes_equals_the_diagonal_model() {
        double[] mean = {0.5, -1, 2};
        NormativeModel diagonal = new NormativeModel.Diagonal(mean, new double[] {2, 3, 1}, SCALE, ANY);
        NormativeModel lowRank = new NormativeModel.LowRank(mean, new double[][] {{1, 0, 0}, {0, 1, 0}}, new double[] {4, 9}, 1, SCALE, ANY);
        double[] f = {1.5, 4, -0.5};
        assertThat(lowRank.distance(f)).isCloseTo(diagonal.distance(f), within(1e-12));
    }

    @Test
    void low_rank_weighs_the_remainder_by_the_residual_eigenvalue() {
        NormativeModel model = new NormativeModel.LowRank(new double[] {0, 0}, new double[][] {{1, 0}}, new double[] {1}, 4, SCALE, ANY);
        // along the component 3^2 / 1, off it 2^2 / 4, over 2 features
        assertThat(model.distance(new double[] {3, 2})).isCloseTo(Math.sqrt((9 + 1) / 2.0), within(1e-12));
    }

    @Test
    void features_are_the_pooled_layer_norm_and_the_per_cell_motion_over_time() {
        // grid [2 time slots, 1 row, 2 columns], dim 2: LN of a 2-vector (a, b) is (-1, 1) or (1, -1) (eps aside).
        float[] tokens = {
            0, 2, /* t0 c0 -> (-1, 1) */ 5, 1, /* t0 c1 -> (1, -1) */
            3, 1, /* t1 c0 -> (1, -1) */ 7, 9 /* t1 c1 -> (-1, 1) */};
        double[] f = NormativeFeatures.POOLED_AND_MOTION.of(tokens, List.of(2, 1, 2), 2, 0);
        assertThat(f).hasSize(2 + 2);
        assertThat(f[0]).isCloseTo(0, within(1e-12)); // pooled: mean of -1, 1, 1, -1
        assertThat(f[1]).isCloseTo(0, within(1e-12));
        assertThat(f[2]).as("cell 0 flips between t0 and t1: population std 1 in each dim").isCloseTo(1, within(1e-12));
        assertThat(f[3]).isCloseTo(1, within(1e-12));
        assertThat(NormativeFeatures.ofLength(4, List.of(2, 1, 2), 2)).isEqualTo(NormativeFeatures.POOLED_AND_MOTION);
        assertThat(NormativeFeatures.ofLength(2, List.of(2, 1, 2), 2)).isEqualTo(NormativeFeatures.POOLED);
        assertThat(NormativeFeatures.ofLength(3, List.of(2, 1, 2), 2)).isNull();
    }
}
