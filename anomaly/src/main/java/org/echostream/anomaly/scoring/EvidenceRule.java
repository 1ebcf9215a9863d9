package org.echostream.anomaly.scoring;

/**
 * The sustained-evidence rule: an event needs at least {@code k} surprising clips among {@code n}
 * consecutive scored clips of one loop, a clip being surprising when its calibrated score reaches 1 (the
 * configured normal quantile). With k >= 2 a single spike never raises an event.
 *
 * <p>Chosen over CUSUM because the loops echo machines record are short (the simulator's have three
 * scored clips): k-of-n decides within the loop and is easy to explain to a clinician ("2 of 3 clips moved
 * unlike any 99% of normal hearts").
 */
public record EvidenceRule(int k, int n, double thresholdQuantile) {

    /** Scores are scaled so that the threshold quantile of normal clips scores exactly this. */
    public static final double SURPRISING = 1.0;

    public EvidenceRule {
        if (k < 1 || n < k) {
            throw new IllegalArgumentException("evidence rule needs 1 <= k <= n, got k=" + k + ", n=" + n);
        }
    }

    public boolean surprising(double clipScore) {
        return clipScore >= SURPRISING;
    }

    /** Written into every event, so a reader knows exactly what fired. */
    public String describe() {
        return "k-of-n(k=" + k + ",n=" + n + ",clipScore>=1 at normal q" + thresholdQuantile + ")";
    }
}
