package org.echostream.anomaly;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.echostream.anomaly.scoring.CalibrationLoader;
import org.echostream.anomaly.scoring.EvidenceRule;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.series.SeriesSettings;
import org.echostream.anomaly.topology.AnomalyMetrics;
import org.echostream.anomaly.topology.AnomalyTopology;
import org.echostream.anomaly.topology.TopicNames;
import org.echostream.contracts.model.InvalidModelException;
import org.jboss.logging.Logger;

/** Wires the pure topology into Quarkus: configuration, the model's calibration, the clock and metrics. */
@ApplicationScoped
public class TopologyProducer {

    private static final Logger LOG = Logger.getLogger(TopologyProducer.class);

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * A release that is not the pinned one, fails its checksums or has no usable numbers gives no calibration: the
     * service then runs not ready (readiness DOWN with the reason) and dead-letters every clip, scoring nothing.
     */
    @Produces
    @Singleton
    ModelCalibration calibration(AnomalyConfig config) {
        ModelCalibration calibration = loadCalibration(config.model().dir(), config.model().releaseSha256(),
                config.scoring().thresholdQuantile());
        if (calibration instanceof ModelCalibration.Calibrated calibrated) {
            LOG.infof("calibrated for model %s (prep %s, calibration sha256 %s): clip surprise median %.4f, q%s %.4f; normative %s; series rule %s",
                    calibrated.release(), calibrated.release().preprocessingVersion(), calibrated.release().calibrationSha256(),
                    calibrated.clipScale().median(),
                    calibrated.clipScale().quantile(), calibrated.clipScale().threshold(),
                    calibrated.normative().map(n -> "on (" + n.features() + ")").orElse("off"),
                    calibrated.seriesRule().map(r -> r.describe() + ", threshold " + r.threshold()).orElse("none (fallback)"));
            calibrated.notes().forEach(note -> LOG.warn(note));
        } else if (calibration instanceof ModelCalibration.NotCalibrated notCalibrated) {
            LOG.errorf("NOT CALIBRATED, every latents record goes to the dead-letter topic: %s", notCalibrated.reason());
        }
        return calibration;
    }

    /** The release's calibration, or why there is none (a release that fails its pin or checksums is one reason). */
    static ModelCalibration loadCalibration(java.nio.file.Path modelDir, String pinnedManifestSha256, double thresholdQuantile) {
        try {
            return CalibrationLoader.load(modelDir, pinnedManifestSha256, thresholdQuantile);
        } catch (InvalidModelException e) {
            return new ModelCalibration.NotCalibrated(e.getMessage());
        }
    }

    @Produces
    @Singleton
    Topology topology(AnomalyConfig config, ModelCalibration calibration, Clock clock, AnomalyMetrics metrics) {
        AnomalyConfig.Scoring scoring = config.scoring();
        AnomalyConfig.Series series = config.series();
        SeriesSettings seriesSettings = new SeriesSettings(
                new EvidenceRule(scoring.eventMinClips(), scoring.eventWindowClips(), scoring.thresholdQuantile()),
                scoring.clipScoreCap(), scoring.regionFraction(), scoring.seriesThreshold(), scoring.normativeWeight(),
                series.idleTimeout(), series.maxOutOfOrder());
        Topology topology = AnomalyTopology.build(new AnomalyTopology.Settings(TopicNames.catalogue(), seriesSettings,
                series.idleCheckInterval(), series.closedRetention(), series.restartInputWait()), calibration, clock, metrics);
        LOG.debugf("topology:%n%s", topology.describe());
        return topology;
    }

    /** A stream thread that dies on something other than input (input errors are dead-lettered) is replaced. */
    @Produces
    @Singleton
    StreamsUncaughtExceptionHandler uncaughtExceptionHandler() {
        return exception -> {
            LOG.error("stream thread failed; replacing it", exception);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        };
    }
}
