package org.echostream.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import io.quarkus.runtime.ShutdownEvent;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.echostream.api.audit.AuditTrail;
import org.echostream.api.audit.AuditedRoutes;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.kafka.Topics;
import org.jboss.logging.Logger;

/**
 * Writes one audit record per API request, allowed or denied, once its status is known. It is an HTTP
 * filter ahead of authentication, not a JAX-RS filter, so a 401 or 403 (which never reaches a resource)
 * is recorded too. Sending is asynchronous; a record the broker never acknowledges is counted
 * ({@code echostream_api_audit_lost_total}) and logged at ERROR with its event id.
 */
@Singleton
class AuditFilter {

    private static final Logger LOG = Logger.getLogger(AuditFilter.class);
    /** Ahead of the authentication and authorization handlers, so denials pass through this filter. */
    private static final int BEFORE_SECURITY = 10_000;

    /** Records waiting for the producer while the broker is unreachable; beyond this they are counted as lost. */
    private static final int QUEUE = 10_000;

    /** Off the event loop: a producer send blocks while the broker's metadata is unknown. */
    private final ExecutorService sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
            r -> new Thread(r, "audit-sender"));
    private final AuditTrail trail;
    private final ApiProducer producer;
    private final MeterRegistry metrics;

    AuditFilter(AuditTrail trail, ApiProducer producer, MeterRegistry metrics) {
        this.trail = trail;
        this.producer = producer;
        this.metrics = metrics;
    }

    void register(@Observes Filters filters) {
        filters.register(this::audit, BEFORE_SECURITY);
    }

    private void audit(RoutingContext rc) {
        AuditedRoutes.match(rc.request().method().name(), rc.normalizedPath())
                .ifPresent(match -> rc.addHeadersEndHandler(v -> publish(rc, match)));
        rc.next();
    }

    private void publish(RoutingContext rc, AuditedRoutes.Match match) {
        SecurityIdentity identity = rc.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        boolean anonymous = identity == null || identity.isAnonymous();
        var address = rc.request().remoteAddress();
        AuditRecord record = trail.record(match, anonymous ? null : identity.getPrincipal().getName(),
                anonymous ? List.of() : List.copyOf(identity.getRoles()), rc.response().getStatusCode(),
                address == null ? null : address.hostAddress(), rc.request().getHeader("X-Request-Id"));
        metrics.counter("echostream.api.audit.records", "outcome", record.getOutcome().name()).increment();
        try {
            sender.execute(() -> send(record));
        } catch (RejectedExecutionException e) {
            lost(record, QUEUE + " audit records already wait for the broker");
        }
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

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void lost(AuditRecord record, String why) {
        metrics.counter("echostream.api.audit.lost").increment();
        LOG.errorf("audit record %s (%s, status %d) not written to %s: %s", record.getEventId(), record.getAction(),
                record.getHttpStatus(), Topics.AUDIT.name(), why);
    }
}
