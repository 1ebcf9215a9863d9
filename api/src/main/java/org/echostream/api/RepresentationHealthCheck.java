package org.echostream.api;

import io.smallrye.health.api.HealthGroup;
import jakarta.inject.Singleton;
import org.echostream.api.health.RepresentationMonitor;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * The health group {@code representation} ({@code /q/health/group/representation}): DOWN, with state DEGRADED, while
 * any model and scanner context drifted. Not part of readiness: a drifting scanner is a reason to look at the scores,
 * not to stop serving them.
 */
@HealthGroup("representation")
@Singleton
class RepresentationHealthCheck implements HealthCheck {

    private final RepresentationHealth health;

    RepresentationHealthCheck(RepresentationHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("representation");
        boolean anyDegraded = false;
        for (RepresentationMonitor.Snapshot s : health.snapshots()) {
            response.withData(s.context().model() + " " + s.context().scanner(), s.state().name());
            anyDegraded |= s.state() == RepresentationMonitor.State.DEGRADED;
        }
        return response.withData("state", anyDegraded ? "DEGRADED" : "OK").status(!anyDegraded).build();
    }
}
