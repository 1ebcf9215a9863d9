package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormativeModelTest {

    private static final ScoreScale SCALE = new ScoreScale(1.0, 3.0, 0.99);

    @Test
    void diagonal_distance_whitens_each_dimension() {
        NormativeModel model = new NormativeModel.Diagonal(new double[] {1, 2}, new double[] {2, 0.5}, SCALE);
        // ((5 - 1) / 2, (2.5 - 2) / 0.5) = (2, 1): distance sqrt(5)
        assertThat(model.distance(List.of(5f, 2.5f))).isCloseTo(Math.sqrt(5), within(1e-9));
        assertThat(model.score(List.of(1f, 2f))).isCloseTo(-0.5, within(1e-9));
    }

    @Test
    void low_rank_along_the_axes_equals_the_diagonal_model() {
        double[] mean = {0.5, -1, 2};
        NormativeModel diagonal = new NormativeModel.Diagonal(mean, new double[] {2, 3, 1}, SCALE);
        NormativeModel lowRank = new NormativeModel.LowRank(mean, new double[][] {{1, 0, 0}, {0, 1, 0}}, new double[] {4, 9}, 1, SCALE);
        List<Float> e = List.of(1.5f, 4f, -0.5f);
        assertThat(lowRank.distance(e)).isCloseTo(diagonal.distance(e), within(1e-9));
    }

    @Test
    void low_rank_weighs_the_remainder_by_the_residual_variance() {
        NormativeModel model = new NormativeModel.LowRank(new double[] {0, 0}, new double[][] {{1, 0}}, new double[] {1}, 4, SCALE);
        // along the component: 3^2 / 1; off it: 2^2 / 4
        assertThat(model.distance(List.of(3f, 2f))).isCloseTo(Math.sqrt(9 + 1), within(1e-9));
    }
}
