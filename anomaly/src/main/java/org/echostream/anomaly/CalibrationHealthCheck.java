package org.echostream.anomaly;

import jakarta.enterprise.context.ApplicationScoped;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Says in {@code /q/health} which model the service scores for, or why it scores nothing. Reports UP either
 * way: an uncalibrated service still runs and dead-letters each clip with the reason, so the rest of a
 * local run keeps working; the {@code echostream_anomaly_calibrated} gauge is the thing to alert on.
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
        HealthCheckResponseBuilder response = HealthCheckResponse.named("anomaly-calibration").up();
        if (calibration instanceof ModelCalibration.Calibrated calibrated) {
            response.withData("calibrated", true).withData("model", calibrated.release().toString())
                    .withData("thresholdQuantile", String.valueOf(calibrated.clipScale().quantile()));
        } else if (calibration instanceof ModelCalibration.NotCalibrated notCalibrated) {
            response.withData("calibrated", false).withData("reason", notCalibrated.reason());
        }
        return response.build();
    }
}
