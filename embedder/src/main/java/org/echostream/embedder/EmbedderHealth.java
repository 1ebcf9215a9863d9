package org.echostream.embedder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.echostream.embedder.stream.LoopStatus;

/**
 * Readiness: the model is verified, loaded and warmed up, and the embed loop runs. Liveness: the loop has
 * not died (a fenced or broken producer stops it; a restart is the cure).
 */
@ApplicationScoped
class EmbedderHealth {

    private final EmbedderService service;

    EmbedderHealth(EmbedderService service) {
        this.service = service;
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            LoopStatus status = service.loopStatus();
            boolean up = service.modelReady() && status != null && status.state() == LoopStatus.State.RUNNING;
            HealthCheckResponseBuilder response = HealthCheckResponse.named("embedder").status(up)
                    .withData("modelWarmedUp", service.modelReady())
                    .withData("loop", status == null ? "NOT_STARTED" : status.state().name())
                    .withData("transactionalId", service.transactionalId());
            if (service.model() != null) {
                response.withData("model", service.model().modelRef().getName() + " " + service.model().modelRef().getVersion())
                        .withData("executionProvider", service.model().provider().name());
            }
            if (status != null) {
                response.withData("assignedPartitions", status.assignedPartitions());
            }
            return response.build();
        };
    }

    @Produces
    @Liveness
    HealthCheck alive() {
        return () -> {
            LoopStatus status = service.loopStatus();
            boolean failed = status != null && status.state() == LoopStatus.State.FAILED;
            HealthCheckResponseBuilder response = HealthCheckResponse.named("embed-loop").status(!failed);
            if (failed) {
                response.withData("failure", String.valueOf(status.failure()));
            }
            return response.build();
        };
    }
}
