package org.echostream.anomaly;

import jakarta.enterprise.context.ApplicationScoped;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Says in {@code /q/health} which model and calibration the service scores with, or why it scores nothing.
 * Without a calibration (missing, not the pinned release, failing its checksum, incomplete) readiness is
 * DOWN: the service still runs and dead-letters each clip with the reason, but nothing may take it for a
 * working scorer.
 */
@Readiness
@ApplicationScoped
class CalibrationHealthCheck implements HealthCheck {

    private final ModelCalibration calibration;

    CalibrationHealthCheck(ModelCalibration calibration) {
        this.calibration = calibration;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("anomaly-calibration");
        if (calibration instanceof ModelCalibration.Calibrated calibrated) {
            response.up().withData("calibrated", true).withData("model", calibrated.release().toString())
                    .withData("calibrationSha256", calibrated.release().calibrationSha256())
                    .withData("thresholdQuantile", String.valueOf(calibrated.clipScale().quantile()));
        } else if (calibration instanceof ModelCalibration.NotCalibrated notCalibrated) {
            response.down().withData("calibrated", false).withData("reason", notCalibrated.reason());
        }
        return response.build();
    }
}
