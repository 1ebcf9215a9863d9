package org.echostream.anomaly.series;

import java.util.TreeMap;
import org.echostream.anomaly.scoring.MeasureTally;

/**
 * Everything the tracker keeps about one series between clips: its loops and the running aggregates of
 * its summary. Serialised to the series store by {@link SeriesStateCodec}; tensors live in the
 * {@link TensorBuffer}, not here, so this stays a few kilobytes.
 */
public final class SeriesState {

    /** Format of the serialised state; bump with a reader for the old one when fields change meaning. */
    static final int FORMAT = 1;

    int format = FORMAT;
    String studyInstanceUid;
    String seriesInstanceUid;
    String modelName;
    String modelVersion;
    String encoderSha256;
    String predictorSha256;
    String preprocessingVersion;
    long firstClipAtMillis;
    long lastActivityMillis;
    boolean closed;

    int scoredClips;
    double sumSurprise;
    double sumCappedScore;
    double maxCappedScore = Double.NEGATIVE_INFINITY;
    double peakScore = Double.NEGATIVE_INFINITY;
    int normativeClips;
    /** Raw normative distances (the release's series rule averages these). */
    double sumNormative;
    /** Calibrated normative scores (reported in the summary). */
    double sumNormativeScore;
    double sumCappedNormative;
    double maxCappedNormative = Double.NEGATIVE_INFINITY;
    int eventCount;
    /** The per-clip measures of the release's general series rule (absent from states written before it: empty). */
    MeasureTally measures = new MeasureTally();

    /** sopInstanceUid -> loop. */
    TreeMap<String, LoopState> loops = new TreeMap<>();

    public String seriesInstanceUid() {
        return seriesInstanceUid;
    }

    public boolean closed() {
        return closed;
    }

    public long lastActivityMillis() {
        return lastActivityMillis;
    }

    public int scoredClips() {
        return scoredClips;
    }

    public int eventCount() {
        return eventCount;
    }
}
