package org.echostream.embedder.core;

import java.nio.FloatBuffer;

/**
 * The clip embedding of the ONNX contract: the mean over tokens of the layer-normed tokens, layer norm
 * without affine parameters, biased variance, epsilon 1e-5. The anomaly service's normative score reads it.
 */
public final class PooledEmbedding {

    static final double LN_EPS = 1e-5;

    private PooledEmbedding() {
    }

    /**
     * @param tokens  buffer holding [tokens, dim] float32 row-major starting at {@code offset}
     * @return dim floats
     */
    public static float[] of(FloatBuffer tokens, int offset, int tokenCount, int dim) {
        double[] sum = new double[dim];
        for (int n = 0; n < tokenCount; n++) {
            int row = offset + n * dim;
            double mean = 0;
            for (int d = 0; d < dim; d++) {
                mean += tokens.get(row + d);
            }
            mean /= dim;
            double variance = 0;
            for (int d = 0; d < dim; d++) {
                double centred = tokens.get(row + d) - mean;
                variance += centred * centred;
            }
            double scale = 1.0 / Math.sqrt(variance / dim + LN_EPS);
            for (int d = 0; d < dim; d++) {
                sum[d] += (tokens.get(row + d) - mean) * scale;
            }
        }
        float[] pooled = new float[dim];
        for (int d = 0; d < dim; d++) {
            pooled[d] = (float) (sum[d] / tokenCount);
        }
        return pooled;
    }
}
