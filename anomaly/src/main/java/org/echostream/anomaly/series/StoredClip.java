package org.echostream.anomaly.series;

/**
 * A clip held in the tensor buffer, and what it still waits for.
 *
 * @param observationPending its observed tokens wait for the prediction made from the clip before it
 * @param predictionPending  its prediction waits for the clip that starts at {@code predictedFirstFrame}
 */
record StoredClip(int clipIndex, int firstFrame, int predictedFirstFrame, boolean observationPending,
                  boolean predictionPending) {

    StoredClip observationDone() {
        return new StoredClip(clipIndex, firstFrame, predictedFirstFrame, false, predictionPending);
    }

    StoredClip predictionDone() {
        return new StoredClip(clipIndex, firstFrame, predictedFirstFrame, observationPending, false);
    }

    boolean waiting() {
        return observationPending || predictionPending;
    }
}
