package org.echostream.ingest;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.echostream.ingest.stow.ClientFilter;
import org.echostream.ingest.stow.StowAuditTrail;
import org.echostream.ingest.stow.StowResponse;
import org.echostream.ingest.stow.StowService;
import org.jboss.logging.Logger;

/**
 * STOW-RS on ingest's HTTP port: {@code POST /dicomweb/studies} and {@code POST /dicomweb/studies/{study}}, a thin
 * layer over {@link StowService}. Answers 503 while the ledger is loading (a duplicate could not be recognised)
 * and in command mode.
 */
@Path("/dicomweb/studies")
public class StowResource {

    private static final Logger LOG = Logger.getLogger(StowResource.class);
    private static final String DICOM_JSON = "application/dicom+json";

    private final StowService stow;
    private final IngestService service;
    private final IngestConfig config;
    private final ClientFilter clients;
    private final CurrentVertxRequest current;

    StowResource(StowService stow, IngestService service, IngestConfig config, CurrentVertxRequest current) {
        this.current = current;
        this.stow = stow;
        this.service = service;
        this.config = config;
        this.clients = ClientFilter.of(config.stow().allowedClients().orElse(List.of()));
    }

    @POST
    public Response store(@HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body, @Context HttpServerRequest request) {
        return answer(contentType, body, null, request);
    }

    @POST
    @Path("/{study}")
    public Response storeStudy(@PathParam("study") String study, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body,
                               @Context HttpServerRequest request) {
        return answer(contentType, body, study, request);
    }

    private Response answer(String contentType, InputStream body, String study, HttpServerRequest request) {
        String client = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        if (!config.stow().enabled() || config.command().isPresent()) {
            return refuse(StowResponse.refused(404, "STOW-RS is not served here (echostream.stow.enabled=false)"));
        }
        if (!clients.allows(client)) {
            LOG.warnf("STOW-RS from %s refused: not in echostream.stow.allowed-clients", client);
            return refuse(StowResponse.refused(403, "client " + client + " is not in echostream.stow.allowed-clients"));
        }
        if (!service.ledgerLoaded()) {
            return refuse(StowResponse.refused(503, "ingest is starting (ledger loading); send again shortly"));
        }
        StowResponse r = stow.store(contentType, body, study, client);
        if (current.getCurrent() != null) {
            // for the audit record of this request, written once its status is known (StowAuditFilter)
            current.getCurrent().put(StowAuditTrail.STUDIES_STORED, r.studiesStored());
        }
        if (r.error() != null) {
            LOG.warnf("STOW-RS from %s refused (%d): %s", client, r.httpStatus(), r.error());
            return refuse(r);
        }
        LOG.infof("STOW-RS from %s: %d stored, %d failed", client, r.stored().size(), r.failed().size());
        return Response.status(r.httpStatus()).type(DICOM_JSON).entity(r.dicomJson()).build();
    }

    private static Response refuse(StowResponse r) {
        Response.ResponseBuilder b = Response.status(r.httpStatus()).type("application/json").entity(Map.of("error", r.error()));
        if (r.httpStatus() == 503) {
            b.header("Retry-After", "10");
        }
        return b.build();
    }
}
