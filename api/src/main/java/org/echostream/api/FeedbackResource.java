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
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.echostream.api.feedback.FeedbackForm;
import org.echostream.api.feedback.FeedbackRules;
import org.echostream.api.feedback.FeedbackSubmission;
import org.echostream.api.model.ReadModel;
import org.echostream.api.model.Views;
import org.echostream.contracts.FeedbackEntry;
import org.echostream.contracts.SeriesFeedback;
import org.echostream.contracts.kafka.Topics;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Clinicians' answers on a series and its events. An answer is on {@code feedback.v1} (acknowledged by the
 * broker) before the caller hears 201, and that answer waits, like every answer, for its audit record. The
 * comment is never logged. JSON bodies only: a cross-site HTML form cannot send {@code application/json}.
 */
@Path("/api/v1/series/{seriesInstanceUid}/feedback")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.CLINICIAN, Roles.ADMIN})
public class FeedbackResource {

    private static final Logger LOG = Logger.getLogger(FeedbackResource.class);

    /**
     * One writer at a time in this replica: each record carries the series' whole history, so two answers built
     * from the same view would each lack the other's (the feed repairs that across replicas; here it never happens).
     */
    private static final ReentrantLock WRITING = new ReentrantLock();

    private final ReadModel model;
    private final ReadModelFeed feed;
    private final FeedbackRules rules;
    private final ApiProducer producer;
    private final ApiConfig config;
    private final SecurityIdentity identity;
    private final Clock clock;

    FeedbackResource(ReadModel model, ReadModelFeed feed, FeedbackRules rules, ApiProducer producer, ApiConfig config,
                     SecurityIdentity identity, Clock clock) {
        this.model = model;
        this.feed = feed;
        this.rules = rules;
        this.producer = producer;
        this.config = config;
        this.identity = identity;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "The answers in force on a series and its events (each clinician's latest per target) and the whole history")
    public Views.SeriesFeedback feedback(@PathParam("seriesInstanceUid") String uid) {
        ReadModelGate.requireReady(feed);
        return model.feedback(uid).orElseThrow(() -> ApiErrors.notFound("no series " + uid));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Record an answer (AGREE, DISAGREE, UNCERTAIN) on the series or one of its events (eventId), with an optional "
            + "coded finding, AHA segment and comment; 201 with the series' feedback")
    public Response answer(@PathParam("seriesInstanceUid") String uid, FeedbackForm form) {
        ReadModelGate.requireReady(feed);
        FeedbackRules.SeriesFacts facts = model.feedbackFacts(uid).orElseThrow(() -> ApiErrors.notFound("no series " + uid));
        FeedbackSubmission submission = rules.check(form, facts, identity.getPrincipal().getName());
        if (submission instanceof FeedbackSubmission.Rejected rejected) {
            throw ApiErrors.badRequest(rejected.reason());
        }
        FeedbackEntry entry = ((FeedbackSubmission.Accepted) submission).entry();
        long timeout = config.api().feedback().submitTimeout().toMillis();
        try {
            if (!WRITING.tryLock(timeout, TimeUnit.MILLISECONDS)) {
                throw ApiErrors.unavailable("another answer is being recorded; nothing was recorded for series " + uid + ", retry");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiErrors.unavailable("interrupted before recording feedback on series " + uid);
        }
        try {
            SeriesFeedback record = model.nextFeedback(uid, facts.studyInstanceUid(), entry, clock.instant());
            producer.send(Topics.FEEDBACK, uid, record, null).get(timeout, TimeUnit.MILLISECONDS);
            // Read your own answer at once; the feed brings the same record again and merges nothing new.
            model.apply(record);
        } catch (ExecutionException | TimeoutException e) {
            LOG.errorf("feedback %s on series %s not recorded: %s", entry.getEntryId(), uid, e.getMessage());
            throw ApiErrors.unavailable("the answer could not be written to " + Topics.FEEDBACK.name() + " within "
                    + config.api().feedback().submitTimeout().toSeconds() + " s; nothing was recorded, retry later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiErrors.unavailable("interrupted while recording feedback on series " + uid);
        } finally {
            WRITING.unlock();
        }
        // Codes and ids only: the comment is the clinician's free text and stays out of every log.
        LOG.infof("feedback %s on series %s (%s) by %s: %s%s", entry.getEntryId(), uid,
                entry.getEventId() == null ? "the series" : "event " + entry.getEventId(), entry.getClinician(), entry.getAnswer(),
                entry.getFinding() == null ? "" : ", " + entry.getFinding() + (entry.getSegment() == null ? "" : " segment " + entry.getSegment()));
        return Response.created(URI.create("/api/v1/series/" + uid + "/feedback"))
                .entity(model.feedback(uid).orElseThrow()).build();
    }
}
