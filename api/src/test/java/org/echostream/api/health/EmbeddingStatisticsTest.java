package org.echostream.api.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingStatisticsTest {

    static double[][] gaussian(int n, int d, Random random) {
        double[][] rows = new double[n][d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                row[i] = random.nextGaussian();
            }
        }
        return rows;
    }

    @Test
    void rank_me_is_near_the_dimension_for_isotropic_embeddings_and_near_two_for_embeddings_on_a_plane() {
        Random random = new Random(1);
        assertThat(EmbeddingStatistics.rankMe(gaussian(1000, 32, random))).isBetween(29.0, 32.0);
        double[][] plane = new double[400][32];
        for (double[] row : plane) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            for (int i = 0; i < 32; i++) {
                row[i] = a * Math.cos(i) + b * Math.sin(3 * i);
            }
        }
        assertThat(EmbeddingStatistics.rankMe(plane)).isBetween(1.5, 2.1);
        // Fewer rows than dimensions: the rank cannot exceed the rows (the smaller Gram matrix is used).
        assertThat(EmbeddingStatistics.rankMe(gaussian(10, 64, random))).isBetween(7.0, 10.0);
    }

    @Test
    void spread_and_cosine_follow_their_definitions() {
        double[][] rows = {{1, 0, 2}, {3, 0, 2}};
        assertThat(EmbeddingStatistics.perDimensionStd(rows)).containsExactly(1.0, 0.0, 0.0);
        assertThat(EmbeddingStatistics.meanPairwiseCosine(new double[][] {{1, 0}, {0, 2}})).isCloseTo(0, within(1e-12));
        assertThat(EmbeddingStatistics.meanPairwiseCosine(new double[][] {{1, 1}, {2, 2}, {5, 5}})).isCloseTo(1, within(1e-12));
        assertThat(EmbeddingStatistics.meanPairwiseCosine(new double[][] {{1, 0}, {-1, 0}, {0, 0}})).isCloseTo(-1, within(1e-12));
    }

    @Test
    void the_mmd_test_finds_a_shift_and_not_a_second_sample_of_the_same_distribution() {
        Random random = new Random(7);
        double[][] reference = gaussian(60, 16, random);
        double scale = EmbeddingStatistics.medianSquaredDistance(reference);
        var same = EmbeddingStatistics.mmdPermutationTest(reference, gaussian(40, 16, random), scale, 500, 0.01, random);
        double[][] shifted = gaussian(40, 16, random);
        for (double[] row : shifted) {
            for (int i = 0; i < 16; i++) {
                row[i] += 0.6;
            }
        }
        var moved = EmbeddingStatistics.mmdPermutationTest(reference, shifted, scale, 500, 0.01, random);
        assertThat(same.pValue()).isGreaterThan(0.05);
        assertThat(same.mmd2()).isLessThan(same.threshold());
        assertThat(moved.pValue()).isLessThan(0.01);
        assertThat(moved.mmd2()).isGreaterThan(moved.threshold());
    }
}
