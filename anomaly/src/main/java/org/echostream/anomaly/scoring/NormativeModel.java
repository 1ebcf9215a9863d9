package org.echostream.anomaly.scoring;

import java.util.List;

/**
 * Where normal clips sit in latent space: the Mahalanobis distance of a pooled clip embedding from the
 * mean of held-out normal embeddings, whitened either per dimension (diagonal) or along a few principal
 * directions with an isotropic remainder (low rank, as probabilistic PCA does). The distance is then scored
 * against the distances of held-out normals ({@link ScoreScale}).
 */
public sealed interface NormativeModel {

    /** The Mahalanobis distance (not squared) of {@code embedding} from the normal mean. */
    double distance(List<Float> embedding);

    ScoreScale scale();

    int dim();

    default double score(List<Float> embedding) {
        return scale().score(distance(embedding));
    }

    /** {@code d^2 = sum_i ((e_i - mean_i) / std_i)^2}. */
    record Diagonal(double[] mean, double[] std, ScoreScale scale) implements NormativeModel {
        public Diagonal {
            if (mean.length != std.length) {
                throw new IllegalArgumentException("normative: mean has " + mean.length + " dims, std " + std.length);
            }
            for (int i = 0; i < std.length; i++) {
                if (!(std[i] > 0)) {
                    throw new IllegalArgumentException("normative: std[" + i + "] = " + std[i] + " must be positive");
                }
            }
        }

        @Override
        public double distance(List<Float> embedding) {
            checkDim(embedding, mean.length);
            double d2 = 0;
            for (int i = 0; i < mean.length; i++) {
                double z = (embedding.get(i) - mean[i]) / std[i];
                d2 += z * z;
            }
            return Math.sqrt(d2);
        }

        @Override
        public int dim() {
            return mean.length;
        }
    }

    /**
     * {@code d^2 = sum_j (w_j . x)^2 / var_j + (|x|^2 - sum_j (w_j . x)^2) / residualVariance} with
     * {@code x = e - mean} and orthonormal rows {@code w_j}.
     */
    record LowRank(double[] mean, double[][] components, double[] variances, double residualVariance, ScoreScale scale)
            implements NormativeModel {
        public LowRank {
            if (components.length != variances.length) {
                throw new IllegalArgumentException("normative: " + components.length + " components but "
                        + variances.length + " variances");
            }
            for (int j = 0; j < components.length; j++) {
                if (components[j].length != mean.length) {
                    throw new IllegalArgumentException("normative: component " + j + " has " + components[j].length
                            + " dims, mean has " + mean.length);
                }
                if (!(variances[j] > 0)) {
                    throw new IllegalArgumentException("normative: variance " + j + " = " + variances[j] + " must be positive");
                }
            }
            if (!(residualVariance > 0)) {
                throw new IllegalArgumentException("normative: residual variance " + residualVariance + " must be positive");
            }
        }

        @Override
        public double distance(List<Float> embedding) {
            checkDim(embedding, mean.length);
            double[] x = new double[mean.length];
            double norm2 = 0;
            for (int i = 0; i < x.length; i++) {
                x[i] = embedding.get(i) - mean[i];
                norm2 += x[i] * x[i];
            }
            double whitened = 0;
            double explained = 0;
            for (int j = 0; j < components.length; j++) {
                double projection = 0;
                for (int i = 0; i < x.length; i++) {
                    projection += components[j][i] * x[i];
                }
                whitened += projection * projection / variances[j];
                explained += projection * projection;
            }
            // Rounding can make the remainder slightly negative when the components span almost everything.
            double residual = Math.max(0, norm2 - explained);
            return Math.sqrt(whitened + residual / residualVariance);
        }

        @Override
        public int dim() {
            return mean.length;
        }
    }

    private static void checkDim(List<Float> embedding, int dim) {
        if (embedding.size() != dim) {
            throw new IllegalArgumentException("normative: embedding has " + embedding.size() + " dims, the calibration " + dim);
        }
    }
}
