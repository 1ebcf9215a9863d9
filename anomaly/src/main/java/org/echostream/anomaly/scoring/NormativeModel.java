package org.echostream.anomaly.scoring;

/**
 * Where normal clips sit in latent space: a Mahalanobis distance of a clip's features from the mean of
 * normal clips, whitened either per feature (diagonal) or along a few principal directions with an
 * isotropic remainder (low rank, as probabilistic PCA does), reported per feature:
 * {@code distance = sqrt(d2 / F)} as the model release computes it. The distance is scored against the
 * distances of held-out normal clips ({@link ScoreScale}).
 *
 * <p>The features come from the observed tokens ({@link NormativeFeatures}); which ones the release used is
 * read from the length of its mean vector.
 */
public sealed interface NormativeModel {

    /** The per-feature Mahalanobis distance {@code sqrt(d2 / F)} of {@code features} from the normal mean. */
    double distance(double[] features);

    ScoreScale scale();

    NormativeFeatures features();

    default double score(double[] features) {
        return scale().score(distance(features));
    }

    /** {@code d2 = sum_i ((f_i - mean_i) / std_i)^2}. */
    record Diagonal(double[] mean, double[] std, ScoreScale scale, NormativeFeatures features) implements NormativeModel {
        public Diagonal {
            if (mean.length != std.length) {
                throw new IllegalArgumentException("normative: mean has " + mean.length + " features, std " + std.length);
            }
            for (int i = 0; i < std.length; i++) {
                if (!(std[i] > 0)) {
                    throw new IllegalArgumentException("normative: std[" + i + "] = " + std[i] + " must be positive");
                }
            }
        }

        @Override
        public double distance(double[] f) {
            checkLength(f, mean.length);
            double d2 = 0;
            for (int i = 0; i < mean.length; i++) {
                double z = (f[i] - mean[i]) / std[i];
                d2 += z * z;
            }
            return Math.sqrt(d2 / mean.length);
        }
    }

    /**
     * {@code d2 = sum_j p_j^2 / eigenvalue_j + (|c|^2 - sum_j p_j^2) / residualEigenvalue} with
     * {@code c = f - mean}, {@code p = components c} and orthonormal component rows.
     */
    record LowRank(double[] mean, double[][] components, double[] eigenvalues, double residualEigenvalue, ScoreScale scale,
                   NormativeFeatures features) implements NormativeModel {
        public LowRank {
            if (components.length != eigenvalues.length) {
                throw new IllegalArgumentException("normative: " + components.length + " components but "
                        + eigenvalues.length + " eigenvalues");
            }
            for (int j = 0; j < components.length; j++) {
                if (components[j].length != mean.length) {
                    throw new IllegalArgumentException("normative: component " + j + " has " + components[j].length
                            + " features, mean has " + mean.length);
                }
                if (!(eigenvalues[j] > 0)) {
                    throw new IllegalArgumentException("normative: eigenvalue " + j + " = " + eigenvalues[j] + " must be positive");
                }
            }
            if (!(residualEigenvalue > 0)) {
                throw new IllegalArgumentException("normative: residual eigenvalue " + residualEigenvalue + " must be positive");
            }
        }

        @Override
        public double distance(double[] f) {
            checkLength(f, mean.length);
            double[] c = new double[mean.length];
            double norm2 = 0;
            for (int i = 0; i < c.length; i++) {
                c[i] = f[i] - mean[i];
                norm2 += c[i] * c[i];
            }
            double whitened = 0;
            double explained = 0;
            for (int j = 0; j < components.length; j++) {
                double p = 0;
                for (int i = 0; i < c.length; i++) {
                    p += components[j][i] * c[i];
                }
                whitened += p * p / eigenvalues[j];
                explained += p * p;
            }
            // Rounding can make the remainder slightly negative when the components span almost everything.
            double d2 = whitened + Math.max(0, norm2 - explained) / residualEigenvalue;
            return Math.sqrt(d2 / mean.length);
        }
    }

    private static void checkLength(double[] features, int length) {
        if (features.length != length) {
            throw new IllegalArgumentException("normative: " + features.length + " features, the calibration has " + length);
        }
    }
}
