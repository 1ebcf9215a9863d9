package org.echostream.anomaly.scoring;

import java.util.List;

/**
 * The per-clip features the normative model measures, computed from the clip's observed tokens exactly as
 * the model release does (LN without affine parameters over the latent dimension):
 * <ul>
 *   <li>{@code e[d] = mean_n LN(tokens)[n, d]}, the pooled embedding (D values);</li>
 *   <li>{@code m[r * W + c] = mean_d std_t LN(tokens)[t, r, c, d]}, the latent motion map: how much each
 *       grid cell's tokens change over the clip's time slots (population std; R x W values).</li>
 * </ul>
 */
public enum NormativeFeatures {
    /** {@code e} only. */
    POOLED,
    /** {@code concat(e, m)}. */
    POOLED_AND_MOTION;

    /** The layout whose length the calibration's mean vector has, or null when none matches. */
    public static NormativeFeatures ofLength(int length, List<Integer> grid, int dim) {
        if (length == dim) {
            return POOLED;
        }
        if (length == dim + grid.get(1) * grid.get(2)) {
            return POOLED_AND_MOTION;
        }
        return null;
    }

    /**
     * @param tokens observed tokens, [T * R * C, D] row-major in time-row-column order
     * @param grid   [T, R, C]
     */
    public double[] of(float[] tokens, List<Integer> grid, int dim, double lnEps) {
        int slots = grid.get(0);
        int cells = grid.get(1) * grid.get(2);
        double[] normed = new double[tokens.length];
        for (int n = 0; n < slots * cells; n++) {
            int offset = n * dim;
            double mean = 0;
            for (int d = 0; d < dim; d++) {
                mean += tokens[offset + d];
            }
            mean /= dim;
            double var = 0;
            for (int d = 0; d < dim; d++) {
                double v = tokens[offset + d] - mean;
                var += v * v;
            }
            double inv = 1.0 / Math.sqrt(var / dim + lnEps);
            for (int d = 0; d < dim; d++) {
                normed[offset + d] = (tokens[offset + d] - mean) * inv;
            }
        }
        double[] out = new double[this == POOLED ? dim : dim + cells];
        for (int n = 0; n < slots * cells; n++) {
            for (int d = 0; d < dim; d++) {
                out[d] += normed[n * dim + d] / (slots * cells);
            }
        }
        if (this == POOLED_AND_MOTION) {
            for (int cell = 0; cell < cells; cell++) {
                double sumStd = 0;
                for (int d = 0; d < dim; d++) {
                    double mean = 0;
                    for (int t = 0; t < slots; t++) {
                        mean += normed[(t * cells + cell) * dim + d];
                    }
                    mean /= slots;
                    double var = 0;
                    for (int t = 0; t < slots; t++) {
                        double v = normed[(t * cells + cell) * dim + d] - mean;
                        var += v * v;
                    }
                    sumStd += Math.sqrt(var / slots);
                }
                out[dim + cell] = sumStd / dim;
            }
        }
        return out;
    }
}
