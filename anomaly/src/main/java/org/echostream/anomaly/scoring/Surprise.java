package org.echostream.anomaly.scoring;

/**
 * How far an observed clip's latent tokens are from the tokens predicted for it, as the ONNX contract
 * defines it: per token {@code s_n = mean_d |LN(pred)[n,d] - LN(obs)[n,d]|} with LN a layer norm over the
 * latent dimension without affine parameters, and per clip the mean of {@code s_n} over tokens.
 *
 * @param perToken one value per token, in the tensor's time-row-column order
 * @param clip     mean of {@code perToken}
 */
public record Surprise(float[] perToken, double clip) {

    /**
     * @param predicted tokens x dim, row-major (the predictor's output for this clip)
     * @param observed  tokens x dim, row-major (the encoder's output for this clip)
     * @param eps       the layer norm's variance epsilon from the model's calibration
     */
    public static Surprise between(float[] predicted, float[] observed, int tokens, int dim, double eps) {
        if (predicted.length != tokens * dim || observed.length != tokens * dim) {
            throw new IllegalArgumentException("surprise: expected " + tokens + " x " + dim + " = " + tokens * dim
                    + " values, got predicted " + predicted.length + " and observed " + observed.length);
        }
        float[] perToken = new float[tokens];
        double total = 0;
        for (int n = 0; n < tokens; n++) {
            int offset = n * dim;
            // (B, N, D) -> per token n: statistics over D, in double so float16 inputs lose nothing more here.
            double meanP = 0;
            double meanO = 0;
            for (int d = 0; d < dim; d++) {
                meanP += predicted[offset + d];
                meanO += observed[offset + d];
            }
            meanP /= dim;
            meanO /= dim;
            double varP = 0;
            double varO = 0;
            for (int d = 0; d < dim; d++) {
                double p = predicted[offset + d] - meanP;
                double o = observed[offset + d] - meanO;
                varP += p * p;
                varO += o * o;
            }
            // Biased variance, as PyTorch's LayerNorm computes it.
            double invP = 1.0 / Math.sqrt(varP / dim + eps);
            double invO = 1.0 / Math.sqrt(varO / dim + eps);
            double l1 = 0;
            for (int d = 0; d < dim; d++) {
                l1 += Math.abs((predicted[offset + d] - meanP) * invP - (observed[offset + d] - meanO) * invO);
            }
            double s = l1 / dim;
            perToken[n] = (float) s;
            total += s;
        }
        return new Surprise(perToken, total / tokens);
    }
}
