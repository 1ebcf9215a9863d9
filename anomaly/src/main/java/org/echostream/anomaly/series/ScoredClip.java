package org.echostream.anomaly.series;

/**
 * A clip compared with its prediction, as the evidence rule and events need it.
 *
 * @param score calibrated clip score (1 = the normal threshold quantile)
 * @param map   rows x columns of the token grid, row-major: token scores averaged over the clip's time slots
 */
record ScoredClip(int clipIndex, int firstFrame, int frameCount, double startSeconds, double endSeconds, double score,
                  float[] map) {

    int lastFrame() {
        return firstFrame + frameCount - 1;
    }
}
