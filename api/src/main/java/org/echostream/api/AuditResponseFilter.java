package org.echostream.api;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.echostream.api.audit.AuditJournal;
import org.echostream.api.audit.AuditTrail;
import org.echostream.api.audit.AuditedRoutes;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Holds every response a resource produced on an audited route until its audit record is durable (see
 * {@link AuditFilter}), naming the studies the body carries; when the record could be neither committed nor
 * queued the body is dropped and the caller gets 503.
 */
class AuditResponseFilter {

    /** The audit facts of the request, put on the routing context by {@link AuditFilter} ahead of security. */
    static final String MATCH = "echostream.audit.match";

    private final AuditFilter audit;
    private final CurrentVertxRequest current;

    AuditResponseFilter(AuditFilter audit, CurrentVertxRequest current) {
        this.audit = audit;
        this.current = current;
    }

    @ServerResponseFilter
    Uni<Void> awaitAudit(ContainerResponseContext response) {
        RoutingContext rc = current.getCurrent();
        AuditedRoutes.Match match = rc == null ? null : rc.get(MATCH);
        if (match == null) {
            return Uni.createFrom().voidItem();
        }
        // The audit completes on a Kafka or timer thread; the answer is finished back on the request's own context.
        Context context = Vertx.currentContext();
        Uni<AuditJournal.Durability> durable = Uni.createFrom()
                .completionStage(audit.commit(rc, match, response.getStatus(), AuditTrail.studiesShown(response.getEntity())));
        if (context != null) {
            durable = durable.emitOn(task -> context.runOnContext(v -> task.run()));
        }
        return durable.map(durability -> {
                    if (durability instanceof AuditJournal.Durability.Unrecorded unrecorded) {
                        String message = "the audit trail cannot record this request, so its answer is withheld: " + unrecorded.reason();
                        response.setStatus(Response.Status.SERVICE_UNAVAILABLE.getStatusCode());
                        response.getHeaders().clear();
                        response.setEntity(new ApiErrors.Problem(Response.Status.SERVICE_UNAVAILABLE.getStatusCode(), message), null,
                                MediaType.APPLICATION_JSON_TYPE);
                    }
                    return null;
                });
    }
}
