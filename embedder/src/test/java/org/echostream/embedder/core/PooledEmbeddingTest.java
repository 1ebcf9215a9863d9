package org.echostream.embedder.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class PooledEmbeddingTest {

    @Test
    void averages_the_layer_normed_tokens() {
        // Two tokens of dim 2 with equal variance: LN([1, 3]) = -LN([4, 2]), so the mean is [0, 0].
        // A third, offset buffer position checks that the offset is honoured.
        FloatBuffer tokens = FloatBuffer.wrap(new float[] {99, 99, 1, 3, 4, 2});
        float[] pooled = PooledEmbedding.of(tokens, 2, 2, 2);

        assertThat(pooled[0]).isCloseTo(0f, within(1e-6f));
        assertThat(pooled[1]).isCloseTo(0f, within(1e-6f));
    }

    @Test
    void keeps_the_shape_of_a_single_token_after_normalisation() {
        float[] pooled = PooledEmbedding.of(FloatBuffer.wrap(new float[] {2, 4, 6}), 0, 1, 3);

        double scale = 1 / Math.sqrt(8.0 / 3 + PooledEmbedding.LN_EPS); // biased variance of [2, 4, 6] is 8/3
        assertThat(pooled[0]).isCloseTo((float) (-2 * scale), within(1e-6f));
        assertThat(pooled[1]).isCloseTo(0f, within(1e-6f));
        assertThat(pooled[2]).isCloseTo((float) (2 * scale), within(1e-6f));
    }
}
