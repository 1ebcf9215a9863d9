package org.echostream.api.health;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/** Statistics of a set of embeddings (rows), as plain functions: no state, no framework. */
public final class EmbeddingStatistics {

    /** Keeps p log p finite for a zero singular value (RankMe's epsilon, Garrido et al. 2023). */
    private static final double EPSILON = 1e-7;

    private EmbeddingStatistics() {
    }

    /**
     * RankMe (Garrido et al., ICML 2023): exp of the entropy of the normalised singular values of the embedding
     * matrix (n × D, not centred). Between 1 (every embedding on one line: collapse) and min(n, D).
     */
    public static double rankMe(double[][] rows) {
        int n = rows.length;
        if (n == 0) {
            return Double.NaN;
        }
        int d = rows[0].length;
        // The singular values of Z are the square roots of the eigenvalues of the smaller Gram matrix (Z^T Z or Z Z^T).
        boolean byDimension = d <= n;
        int m = byDimension ? d : n;
        double[][] gram = new double[m][m];
        if (byDimension) {
            for (double[] row : rows) {
                for (int i = 0; i < d; i++) {
                    double ri = row[i];
                    if (ri == 0) {
                        continue;
                    }
                    double[] gi = gram[i];
                    for (int j = i; j < d; j++) {
                        gi[j] += ri * row[j];
                    }
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    gram[i][j] = dot(rows[i], rows[j]);
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                gram[i][j] = gram[j][i];
            }
        }
        double[] eigenvalues = new EigenDecomposition(new Array2DRowRealMatrix(gram, false)).getRealEigenvalues();
        double[] sigma = new double[m];
        double sum = 0;
        for (int i = 0; i < m; i++) {
            sigma[i] = Math.sqrt(Math.max(0, eigenvalues[i]));
            sum += sigma[i];
        }
        if (sum == 0) {
            return 1;
        }
        double entropy = 0;
        for (double s : sigma) {
            double p = s / sum + EPSILON;
            entropy -= p * Math.log(p);
        }
        return Math.exp(entropy);
    }

    /** Population standard deviation of each dimension. */
    public static double[] perDimensionStd(double[][] rows) {
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                mean[i] += row[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= rows.length;
        }
        double[] var = new double[d];
        for (double[] row : rows) {
            for (int i = 0; i < d; i++) {
                double c = row[i] - mean[i];
                var[i] += c * c;
            }
        }
        for (int i = 0; i < d; i++) {
            var[i] = Math.sqrt(var[i] / rows.length);
        }
        return var;
    }

    /**
     * Mean cosine over all pairs of distinct rows, from the norm of the sum of unit vectors:
     * |sum u|^2 = n + 2 * sum over pairs of cos, so the mean is (|sum u|^2 - n) / (n (n - 1)). Zero rows are left out.
     */
    public static double meanPairwiseCosine(double[][] rows) {
        int d = rows[0].length;
        double[] sum = new double[d];
        int n = 0;
        for (double[] row : rows) {
            double norm = Math.sqrt(dot(row, row));
            if (norm == 0) {
                continue;
            }
            n++;
            for (int i = 0; i < d; i++) {
                sum[i] += row[i] / norm;
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        return (dot(sum, sum) - n) / ((double) n * (n - 1));
    }

    /** Median squared distance between distinct rows: the RBF kernel's scale (the "median heuristic"). */
    public static double medianSquaredDistance(double[][] rows) {
        int n = rows.length;
        double[] d2 = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                d2[k++] = squaredDistance(rows[i], rows[j]);
            }
        }
        if (d2.length == 0) {
            return 1;
        }
        Arrays.sort(d2);
        double median = d2[d2.length / 2];
        return median > 0 ? median : 1;
    }

    /** The result of a two-sample test. {@code threshold}: the permutation distribution's (1 - alpha) quantile. */
    public record TwoSample(double mmd2, double threshold, double pValue) {
    }

    /**
     * Maximum mean discrepancy (squared, biased V-statistic) between {@code a} and {@code b} with the kernel
     * exp(-|x - y|^2 / scale), and its permutation p-value: the pooled rows are reassigned at random {@code permutations}
     * times (Gretton et al., JMLR 2012). The kernel matrix is computed once, so each permutation costs O((n + m)^2).
     */
    public static TwoSample mmdPermutationTest(double[][] a, double[][] b, double scale, int permutations, double alpha, Random random) {
        int n = a.length;
        int total = n + b.length;
        double[][] pooled = new double[total][];
        System.arraycopy(a, 0, pooled, 0, n);
        System.arraycopy(b, 0, pooled, n, b.length);
        double[][] kernel = new double[total][total];
        for (int i = 0; i < total; i++) {
            kernel[i][i] = 1;
            for (int j = i + 1; j < total; j++) {
                kernel[i][j] = kernel[j][i] = Math.exp(-squaredDistance(pooled[i], pooled[j]) / scale);
            }
        }
        int[] order = new int[total];
        for (int i = 0; i < total; i++) {
            order[i] = i;
        }
        double observed = mmd2(kernel, order, n);
        double[] null_ = new double[permutations];
        int atLeast = 0;
        for (int p = 0; p < permutations; p++) {
            for (int i = total - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            null_[p] = mmd2(kernel, order, n);
            if (null_[p] >= observed) {
                atLeast++;
            }
        }
        Arrays.sort(null_);
        int q = (int) Math.min(permutations - 1, Math.ceil((1 - alpha) * permutations) - 1);
        return new TwoSample(observed, null_[Math.max(0, q)], (1.0 + atLeast) / (1.0 + permutations));
    }

    /** MMD^2 of the split of {@code order} into its first {@code n} entries and the rest. */
    private static double mmd2(double[][] kernel, int[] order, int n) {
        int total = order.length;
        int m = total - n;
        double xx = 0;
        double yy = 0;
        double xy = 0;
        for (int i = 0; i < total; i++) {
            double[] row = kernel[order[i]];
            boolean iFirst = i < n;
            for (int j = 0; j < total; j++) {
                double k = row[order[j]];
                boolean jFirst = j < n;
                if (iFirst && jFirst) {
                    xx += k;
                } else if (!iFirst && !jFirst) {
                    yy += k;
                } else {
                    xy += k;
                }
            }
        }
        return xx / ((double) n * n) + yy / ((double) m * m) - xy / ((double) n * m);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double squaredDistance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double c = a[i] - b[i];
            s += c * c;
        }
        return s;
    }
}
