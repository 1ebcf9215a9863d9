package org.echostream.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.echostream.api.audit.AuditJournal;
import org.echostream.api.audit.AuditTrail;
import org.echostream.api.audit.AuditedRoutes;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.kafka.Topics;
import org.jboss.logging.Logger;

/**
 * Writes one audit record per API request, allowed or denied, once its status is known.
 *
 * <p>A response a resource produced (everything that can carry patient data) waits in
 * {@link AuditResponseFilter} until {@link #commit} made its record durable: acknowledged by the broker, or
 * fsynced to the local backlog (sent later; {@code echostream_api_audit_backlog} counts it). When neither
 * worked the response is replaced by a 503.
 *
 * <p>Requests that never reach a resource (a 401 or 403 from the security layer, a form sign-in) carry no
 * patient data: this HTTP filter, ahead of authentication, records them asynchronously once their status is
 * known; one the broker never acknowledges is counted ({@code echostream_api_audit_lost_total}) and logged
 * at ERROR with its event id.
 */
@Singleton
class AuditFilter {

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);
    /** Ahead of the authentication and authorization handlers, so denials pass through this filter. */
    private static final int BEFORE_SECURITY = 10_000;
    /** Set on the routing context once a request's record was made durable before its response. */
    private static final String COMMITTED = "echostream.audit.committed";

    /** Records waiting for the producer while the broker is unreachable; beyond this they go to the backlog (or are lost). */
    private static final int QUEUE = 10_000;

    /** Off the event loop: a producer send blocks while the broker's metadata is unknown. */
    private final ExecutorService sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
            r -> new Thread(r, "audit-sender"));
    private final ScheduledExecutorService backlogSender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "audit-backlog");
        thread.setDaemon(true);
        return thread;
    });
    private final AuditTrail trail;
    private final ApiProducer producer;
    private final MeterRegistry metrics;
    private final AuditJournal journal;

    AuditFilter(AuditTrail trail, ApiProducer producer, MeterRegistry metrics, ApiConfig config, Clock clock) {
        this.trail = trail;
        this.producer = producer;
        this.metrics = metrics;
        ApiConfig.Backlog backlog = config.api().audit().backlog();
        this.journal = new AuditJournal(this::sendEncoded, new AuditJournal.Settings(
                backlog.enabled() ? Optional.of(backlog.dir()) : Optional.empty(), backlog.maxRecords(),
                config.api().audit().commitTimeout()), clock);
        metrics.gauge("echostream.api.audit.backlog", journal, AuditJournal::backlog);
        long every = backlog.retryInterval().toMillis();
        backlogSender.scheduleWithFixedDelay(this::drainBacklog, every, every, TimeUnit.MILLISECONDS);
    }

    void register(@Observes Filters filters) {
        filters.register(this::audit, BEFORE_SECURITY);
    }

    /**
     * Makes the record of a response durable; completes with what happened, never exceptionally.
     *
     * @param studiesShown the studies whose data the response carries
     */
    CompletableFuture<AuditJournal.Durability> commit(RoutingContext rc, AuditedRoutes.Match match, int status,
                                                      Collection<String> studiesShown) {
        AuditRecord record = trail.record(request(rc, match, status), studiesShown, attemptedUser(rc));
        byte[] value = Topics.AUDIT.valueSerde().serializer().serialize(Topics.AUDIT.name(), record);
        return journal.commit(record.getEventId(), value).thenApply(durability -> {
            if (durability instanceof AuditJournal.Durability.Unrecorded unrecorded) {
                metrics.counter("echostream.api.audit.withheld").increment();
                LOG.errorf("audit record %s (%s, status %d) could not be made durable, response withheld: %s", record.getEventId(),
                        record.getAction(), record.getHttpStatus(), unrecorded.reason());
            } else {
                rc.put(COMMITTED, true);
            }
            if (durability instanceof AuditJournal.Durability.Queued queued) {
                metrics.counter("echostream.api.audit.queued").increment();
                LOG.warnf("audit record %s (%s) queued in the local backlog %s: %s", record.getEventId(), record.getAction(),
                        queued.file().getParent(), queued.why());
            }
            metrics.counter("echostream.api.audit.records", "outcome", record.getOutcome().name()).increment();
            return durability;
        });
    }

    private void audit(RoutingContext rc) {
        AuditedRoutes.match(rc.request().method().name(), rc.normalizedPath()).ifPresent(match -> {
            rc.put(AuditResponseFilter.MATCH, match);
            rc.addHeadersEndHandler(v -> {
                if (rc.get(COMMITTED) == null) {
                    publish(rc, match);
                }
            });
        });
        rc.next();
    }

    private void publish(RoutingContext rc, AuditedRoutes.Match match) {
        AuditRecord record = trail.record(request(rc, match, rc.response().getStatusCode()), List.of(), attemptedUser(rc));
        metrics.counter("echostream.api.audit.records", "outcome", record.getOutcome().name()).increment();
        try {
            sender.execute(() -> send(record));
        } catch (RejectedExecutionException e) {
            lost(record, QUEUE + " audit records already wait for the broker");
        }
    }

    private static AuditTrail.Request request(RoutingContext rc, AuditedRoutes.Match match, int status) {
        SecurityIdentity identity = rc.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        boolean anonymous = identity == null || identity.isAnonymous();
        SignInAttempt attempt = rc.get(SignInAttempt.KEY);
        String principal = !anonymous ? identity.getPrincipal().getName() : attempt != null && attempt.succeeded() ? attempt.user() : null;
        var address = rc.request().remoteAddress();
        return new AuditTrail.Request(match, principal, anonymous ? List.of() : List.copyOf(identity.getRoles()), status,
                address == null ? null : address.hostAddress(), rc.request().getHeader("X-Request-Id"));
    }

    private static String attemptedUser(RoutingContext rc) {
        SignInAttempt attempt = rc.get(SignInAttempt.KEY);
        return attempt == null || attempt.succeeded() ? null : attempt.user();
    }

    private void send(AuditRecord record) {
        try {
            producer.send(Topics.AUDIT, record.getEventId(), record, (meta, error) -> {
                if (error != null) {
                    lost(record, error.getMessage());
                }
            });
        } catch (RuntimeException e) {
            lost(record, e.getMessage());
        }
    }

    private CompletableFuture<Void> sendEncoded(String eventId, byte[] value) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        sender.execute(() -> {
            try {
                producer.sendEncoded(Topics.AUDIT, eventId, value, (meta, error) -> {
                    if (error != null) {
                        acknowledged.completeExceptionally(error);
                    } else {
                        acknowledged.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                acknowledged.completeExceptionally(e);
            }
        });
        return acknowledged;
    }

    private void drainBacklog() {
        try {
            int sent = journal.drain();
            if (sent > 0) {
                LOG.infof("audit backlog: %d records sent to %s, %d still waiting", sent, Topics.AUDIT.name(), journal.backlog());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf("audit backlog: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        backlogSender.shutdownNow();
        sender.shutdown();
        sender.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void lost(AuditRecord record, String why) {
        metrics.counter("echostream.api.audit.lost").increment();
        LOG.errorf("audit record %s (%s, status %d) not written to %s: %s", record.getEventId(), record.getAction(),
                record.getHttpStatus(), Topics.AUDIT.name(), why);
    }
}
