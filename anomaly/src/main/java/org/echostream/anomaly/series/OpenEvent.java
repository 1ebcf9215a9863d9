package org.echostream.anomaly.series;

/** An event that fired and has not ended yet: its bounds so far and the sums its scores and region need. */
final class OpenEvent {

    ScoredClip first;
    ScoredClip last;
    double peak = Double.NEGATIVE_INFINITY;
    double sum;
    int count;
    float[] mapSum;

    void absorb(ScoredClip clip) {
        if (first == null) {
            first = clip;
            mapSum = new float[clip.map().length];
        }
        last = clip;
        peak = Math.max(peak, clip.score());
        sum += clip.score();
        count++;
        for (int i = 0; i < mapSum.length; i++) {
            mapSum[i] += clip.map()[i];
        }
    }

    float[] meanMap() {
        float[] mean = new float[mapSum.length];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = mapSum[i] / count;
        }
        return mean;
    }
}
