package org.echostream.anomaly.testing;

import java.util.Map;
import java.util.TreeMap;
import org.echostream.anomaly.topology.AnomalyMetrics;

/** Counts what the topology reports, for assertions. */
public final class TallyMetrics implements AnomalyMetrics {

    public int clipsScored;
    public int events;
    public int duplicates;
    public int gaps;
    public int lateClips;
    public int seriesClosed;
    public final Map<String, Integer> deadLetters = new TreeMap<>();

    @Override
    public void clipScored() {
        clipsScored++;
    }

    @Override
    public void eventRaised() {
        events++;
    }

    @Override
    public void deadLetter(String reasonCode) {
        deadLetters.merge(reasonCode, 1, Integer::sum);
    }

    @Override
    public void duplicateClip() {
        duplicates++;
    }

    @Override
    public void gaps(int count) {
        gaps += count;
    }

    @Override
    public void lateClips(int count) {
        lateClips += count;
    }

    @Override
    public void seriesClosed() {
        seriesClosed++;
    }
}
