package org.echostream.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.StudyQuery;
import org.echostream.api.model.Views;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/api/v1/studies")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLINICIAN, Roles.ADMIN})
public class StudyResource {

    private final ReadModel model;
    private final ReadModelFeed feed;
    private final ApiConfig config;

    StudyResource(ReadModel model, ReadModelFeed feed, ApiConfig config) {
        this.model = model;
        this.feed = feed;
        this.config = config;
    }

    @GET
    @Operation(summary = "Worklist: studies with flag, scores and status, flagged and highest-scoring first")
    public List<Views.StudyListItem> list(
            @Parameter(description = "first study date, YYYY-MM-DD") @QueryParam("from") String from,
            @Parameter(description = "last study date, YYYY-MM-DD") @QueryParam("to") String to,
            @Parameter(description = "true: flagged only; false: unflagged only") @QueryParam("flagged") Boolean flagged,
            @Parameter(description = "true: reviewed by a clinician only; false: not reviewed yet (with flagged=true: flagged, awaiting review)")
            @QueryParam("reviewed") Boolean reviewed,
            @Parameter(description = "RECEIVED, IN_PROGRESS, SCORED or NOT_SCORED") @QueryParam("status") String status,
            @Parameter(description = "text in patient name or id, accession, description or UID") @QueryParam("q") String text,
            @QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("100") int limit) {
        ReadModelGate.requireReady(feed);
        if (limit > config.api().maxPageSize()) {
            throw ApiErrors.badRequest("limit " + limit + " is above the page size of " + config.api().maxPageSize());
        }
        try {
            return model.studies(new StudyQuery(date("from", from), date("to", to), flagged, reviewed,
                    status == null || status.isBlank() ? null : status.strip(), text, offset, limit));
        } catch (IllegalArgumentException e) {
            throw ApiErrors.badRequest(e.getMessage());
        }
    }

    @GET
    @Path("{studyInstanceUid}")
    @Operation(summary = "A study with its patient, series, scores and status")
    public Views.StudyDetail study(@PathParam("studyInstanceUid") String uid) {
        ReadModelGate.requireReady(feed);
        return model.study(uid).orElseThrow(() -> ApiErrors.notFound("no study " + uid));
    }

    @GET
    @Path("{studyInstanceUid}/similar")
    @Operation(summary = "Nearest studies by cosine similarity of study embeddings (mean of clip embeddings, same model only)")
    public Views.Similar similar(@PathParam("studyInstanceUid") String uid, @QueryParam("limit") Integer limit) {
        ReadModelGate.requireReady(feed);
        int k = limit == null ? config.api().similar().defaultLimit() : limit;
        if (k < 1 || k > config.api().similar().maxLimit()) {
            throw ApiErrors.badRequest("limit must be between 1 and " + config.api().similar().maxLimit() + ", got " + k);
        }
        if (!model.hasStudy(uid)) {
            throw ApiErrors.notFound("no study " + uid);
        }
        return model.similar(uid, k).orElseGet(() -> new Views.Similar(uid, null, null, 0, List.of()));
    }

    private static LocalDate date(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ApiErrors.badRequest(name + " must be a date as YYYY-MM-DD, got '" + value.strip() + "'");
        }
    }
}
