package org.echostream.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.echostream.api.jobs.ImportJobs;
import org.echostream.api.jobs.JobSubmission;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.Views;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.kafka.Topics;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Batch jobs: an import is submitted as a {@code JobCommand} for ingest, which reports progress on the
 * compacted job-status topic; listing reads that. JSON bodies only: a cross-site HTML form cannot send
 * {@code application/json}, so a signed-in admin's browser cannot be made to submit a job.
 */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class JobResource {

    private static final Logger LOG = Logger.getLogger(JobResource.class);

    /** The body of POST /api/v1/jobs. */
    /** @param parameters a BACKFILL job's query (node, studyDateFrom, studyDateTo, modality, patientIds, accessionNumbers) */
    public record ImportRequest(String kind, List<String> paths, java.util.Map<String, String> parameters) {
    }

    private final ImportJobs jobs;
    private final ApiProducer producer;
    private final ReadModel model;
    private final ReadModelFeed feed;
    private final ApiConfig config;
    private final SecurityIdentity identity;

    JobResource(ImportJobs jobs, ApiProducer producer, ReadModel model, ReadModelFeed feed, ApiConfig config, SecurityIdentity identity) {
        this.jobs = jobs;
        this.producer = producer;
        this.model = model;
        this.feed = feed;
        this.config = config;
        this.identity = identity;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Submit an archive import (kind IMPORT_FOLDER, absolute paths on the ingest host) or a PACS backfill (kind BACKFILL, "
            + "the query in parameters); answers 202 with the job")
    public Response submit(ImportRequest request) {
        if (request == null) {
            throw ApiErrors.badRequest("the body must be JSON like {\"kind\":\"IMPORT_FOLDER\",\"paths\":[\"/archive/2019\"]} or "
                    + "{\"kind\":\"BACKFILL\",\"parameters\":{\"node\":\"pacs\",\"studyDateFrom\":\"2024-01-01\",\"studyDateTo\":\"2024-01-31\"}}");
        }
        JobSubmission submission = jobs.submit(request.kind(), request.paths(), request.parameters() == null ? java.util.Map.of() : request.parameters(),
                identity.getPrincipal().getName());
        if (submission instanceof JobSubmission.Rejected rejected) {
            throw ApiErrors.badRequest(rejected.reason());
        }
        JobCommand command = ((JobSubmission.Accepted) submission).command();
        try {
            producer.send(Topics.JOB_COMMANDS, command.getJobId(), command, null)
                    .get(config.api().jobs().submitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.errorf("job %s not submitted: %s", command.getJobId(), e.getMessage());
            throw ApiErrors.unavailable("job " + command.getJobId() + " could not be written to " + Topics.JOB_COMMANDS.name()
                    + " within " + config.api().jobs().submitTimeout().toSeconds() + " s; nothing was submitted, retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiErrors.unavailable("interrupted while submitting job " + command.getJobId());
        }
        LOG.infof("job %s submitted by %s: %s of %d paths", command.getJobId(), command.getRequestedBy(), command.getKind(), command.getPaths().size());
        Views.Job submitted = new Views.Job(command.getJobId(), command.getKind(), "SUBMITTED", command.getPaths(), command.getRequestedBy(),
                command.getRequestedAt(), null, 0, 0, 0, java.util.Map.of(), 0, null, null, null, null, null);
        return Response.accepted(submitted).location(URI.create("/api/v1/jobs/" + command.getJobId())).build();
    }

    @GET
    @Operation(summary = "Every job: submitted commands and ingest's latest progress, most recent first")
    public List<Views.Job> list() {
        ReadModelGate.requireReady(feed);
        return model.jobs();
    }

    @GET
    @Path("{jobId}")
    @Operation(summary = "One job's progress: state, counts, rate, ETA")
    public Views.Job job(@PathParam("jobId") String jobId) {
        ReadModelGate.requireReady(feed);
        return model.job(jobId).orElseThrow(() -> ApiErrors.notFound("no job " + jobId));
    }
}
