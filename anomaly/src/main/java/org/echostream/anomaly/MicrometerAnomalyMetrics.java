package org.echostream.anomaly;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.topology.AnomalyMetrics;

/** The topology's counters in Prometheus ({@code /q/metrics}), prefixed {@code echostream_anomaly_}. */
@Singleton
class MicrometerAnomalyMetrics implements AnomalyMetrics {

    private final MeterRegistry registry;
    private final Counter clipsScored;
    private final Counter events;
    private final Counter duplicates;
    private final Counter gaps;
    private final Counter lateClips;
    private final Counter seriesClosed;

    MicrometerAnomalyMetrics(MeterRegistry registry, ModelCalibration calibration) {
        this.registry = registry;
        this.clipsScored = registry.counter("echostream.anomaly.clips.scored");
        this.events = registry.counter("echostream.anomaly.events");
        this.duplicates = registry.counter("echostream.anomaly.duplicate.clips");
        this.gaps = registry.counter("echostream.anomaly.gaps");
        this.lateClips = registry.counter("echostream.anomaly.late.clips");
        this.seriesClosed = registry.counter("echostream.anomaly.series.closed");
        double calibrated = calibration instanceof ModelCalibration.Calibrated ? 1 : 0;
        Gauge.builder("echostream.anomaly.calibrated", () -> calibrated)
                .description("1 when the service scores with a model calibration, 0 when it dead-letters every clip")
                .register(registry);
    }

    @Override
    public void clipScored() {
        clipsScored.increment();
    }

    @Override
    public void eventRaised() {
        events.increment();
    }

    @Override
    public void deadLetter(String reasonCode) {
        registry.counter("echostream.anomaly.dead.letters", "reason", reasonCode).increment();
    }

    @Override
    public void duplicateClip() {
        duplicates.increment();
    }

    @Override
    public void gaps(int count) {
        gaps.increment(count);
    }

    @Override
    public void lateClips(int count) {
        lateClips.increment(count);
    }

    @Override
    public void seriesClosed() {
        seriesClosed.increment();
    }
}
