package org.echostream.anomaly.topology;

/** What the topology counts; the Quarkus layer backs it with Micrometer, tests with nothing or a tally. */
public interface AnomalyMetrics {

    AnomalyMetrics NONE = new AnomalyMetrics() {
    };

    default void clipScored() {
    }

    default void eventRaised() {
    }

    default void deadLetter(String reasonCode) {
    }

    default void duplicateClip() {
    }

    default void gaps(int count) {
    }

    default void lateClips(int count) {
    }

    default void seriesClosed() {
    }
}
