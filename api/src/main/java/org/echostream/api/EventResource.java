package org.echostream.api;

import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.Views;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestStreamElementType;

@Path("/api/v1/events")
@RolesAllowed({Roles.CLINICIAN, Roles.ADMIN})
public class EventResource {

    private final ReadModel model;
    private final ReadModelFeed feed;
    private final EventBroadcaster broadcaster;
    private final ApiConfig config;

    EventResource(ReadModel model, ReadModelFeed feed, EventBroadcaster broadcaster, ApiConfig config) {
        this.model = model;
        this.feed = feed;
        this.broadcaster = broadcaster;
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Anomaly events, most recently detected first")
    public List<Views.Event> recent(@QueryParam("since") String since, @QueryParam("limit") @DefaultValue("100") int limit) {
        ReadModelGate.requireReady(feed);
        if (limit < 1 || limit > config.api().maxPageSize()) {
            throw ApiErrors.badRequest("limit must be between 1 and " + config.api().maxPageSize() + ", got " + limit);
        }
        Instant from;
        try {
            from = since == null || since.isBlank() ? null : Instant.parse(since.strip());
        } catch (DateTimeParseException e) {
            throw ApiErrors.badRequest("since must be an instant like 2026-11-21T10:15:30Z, got '" + since.strip() + "'");
        }
        return model.recentEvents(from, limit);
    }

    @GET
    @Path("stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: each new anomaly event as it is detected (JSON, same shape as /api/v1/events)")
    public Multi<Views.Event> stream() {
        ReadModelGate.requireReady(feed);
        return broadcaster.stream();
    }
}
