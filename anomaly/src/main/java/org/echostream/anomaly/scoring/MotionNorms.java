package org.echostream.anomaly.scoring;

/**
 * Per-location and global statistics of the latent motion map {@code m} (the motion part of
 * {@link NormativeFeatures#POOLED_AND_MOTION}) over normal training clips (calibration.json {@code motion}).
 */
public record MotionNorms(double[] cellMean, double[] cellStd, double globalMean, double globalStd) {

    public MotionNorms {
        if (cellMean.length != cellStd.length || cellMean.length == 0) {
            throw new IllegalArgumentException("motion.cell_mean has " + cellMean.length + " values and motion.cell_std "
                    + cellStd.length + "; they must match and not be empty");
        }
        for (int c = 0; c < cellStd.length; c++) {
            if (!(cellStd[c] > 0)) {
                throw new IllegalArgumentException("motion.cell_std[" + c + "] is " + cellStd[c] + "; it must be positive");
            }
        }
        if (!(globalStd > 0)) {
            throw new IllegalArgumentException("motion.global_std is " + globalStd + "; it must be positive");
        }
    }

    /** {@link SeriesMeasure#MOTION_DEFICIT_REGIONAL} of a motion map. */
    public double regional(double[] motion) {
        check(motion);
        double worst = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < motion.length; c++) {
            worst = Math.max(worst, (cellMean[c] - motion[c]) / cellStd[c]);
        }
        return worst;
    }

    /** {@link SeriesMeasure#MOTION_DEFICIT_GLOBAL} of a motion map. */
    public double global(double[] motion) {
        check(motion);
        double mean = 0;
        for (double v : motion) {
            mean += v;
        }
        return (globalMean - mean / motion.length) / globalStd;
    }

    private void check(double[] motion) {
        if (motion.length != cellMean.length) {
            throw new IllegalArgumentException("motion map has " + motion.length + " cells, the calibration " + cellMean.length);
        }
    }
}
