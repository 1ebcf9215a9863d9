package org.echostream.ingest.prep;

/**
 * prep-1's area rule along one axis, applied rows then columns in double precision: output index i
 * covers source coordinates [i*n/m, (i+1)*n/m) and averages, with equal weights, the source pixels whose
 * centres fall inside; when none does (enlarging), it takes source pixel floor((i + 0.5) * n/m).
 */
final class AreaResizer {

    private final int[] rowFirst;
    private final int[] rowCount;
    private final int[] colFirst;
    private final int[] colCount;
    private final int sourceHeight;
    private final int sourceWidth;
    private final double[] rows;

    AreaResizer(int sourceHeight, int sourceWidth, int height, int width) {
        this.sourceHeight = sourceHeight;
        this.sourceWidth = sourceWidth;
        this.rowFirst = new int[height];
        this.rowCount = new int[height];
        this.colFirst = new int[width];
        this.colCount = new int[width];
        axis(sourceHeight, height, rowFirst, rowCount);
        axis(sourceWidth, width, colFirst, colCount);
        this.rows = new double[height * sourceWidth];
    }

    private static void axis(int in, int out, int[] first, int[] count) {
        double scale = (double) in / out;
        java.util.Arrays.fill(first, -1);
        for (int k = 0; k < in; k++) {
            int owner = (int) Math.floor((k + 0.5) / scale);
            owner = Math.max(0, Math.min(out - 1, owner));
            if (first[owner] < 0) {
                first[owner] = k;
            }
            count[owner]++;
        }
        for (int i = 0; i < out; i++) {
            if (count[i] == 0) {
                first[i] = Math.min(in - 1, (int) Math.floor((i + 0.5) * scale));
                count[i] = 1;
            }
        }
    }

    /**
     * Resizes one masked source image ({@code sourceHeight x sourceWidth} grey levels) and writes it, rounded
     * half up, at ({@code padY}, {@code padX}) of a {@code stride}-wide output.
     */
    void resize(double[] source, byte[] out, int outOffset, int stride, int padY, int padX) {
        int height = rowFirst.length;
        int width = colFirst.length;
        for (int i = 0; i < height; i++) {
            double weight = 1.0 / rowCount[i];
            int base = i * sourceWidth;
            java.util.Arrays.fill(rows, base, base + sourceWidth, 0.0);
            for (int h = rowFirst[i]; h < rowFirst[i] + rowCount[i]; h++) {
                int src = h * sourceWidth;
                for (int w = 0; w < sourceWidth; w++) {
                    rows[base + w] += weight * source[src + w];
                }
            }
        }
        for (int i = 0; i < height; i++) {
            int base = i * sourceWidth;
            int o = outOffset + (padY + i) * stride + padX;
            for (int j = 0; j < width; j++) {
                double weight = 1.0 / colCount[j];
                double sum = 0;
                for (int w = colFirst[j]; w < colFirst[j] + colCount[j]; w++) {
                    sum += weight * rows[base + w];
                }
                long v = (long) Math.floor(sum + 0.5);
                out[o + j] = (byte) (v < 0 ? 0 : Math.min(255, v));
            }
        }
    }

    int sourceHeight() {
        return sourceHeight;
    }
}
