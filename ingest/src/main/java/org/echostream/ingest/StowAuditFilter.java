package org.echostream.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.kafka.AuditPublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.stow.StowAuditTrail;
import org.jboss.logging.Logger;

/**
 * One audit record per STOW-RS attempt, accepted or refused (401 and 403 never reach the resource, so this HTTP
 * filter runs ahead of authentication), written once the status is known. The instances of an accepted request
 * are already durable by then, so the answer does not wait for its record; one the broker never acknowledges is
 * counted ({@code echostream_ingest_audit_lost_total}) and logged at ERROR with its event id.
 */
@Singleton
class StowAuditFilter {

    private static final Logger LOG = Logger.getLogger(StowAuditFilter.class);
    /** Ahead of the authentication and authorization handlers, so refusals pass through this filter. */
    private static final int BEFORE_SECURITY = 10_000;
    /** Records waiting for the producer while the broker is unreachable; beyond this they are counted lost. */
    private static final int QUEUE = 10_000;

    /** Off the event loop: a producer send blocks while the broker's metadata is unknown. */
    private final ExecutorService sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(QUEUE),
            r -> new Thread(r, "stow-audit-sender"));
    private final StowAuditTrail trail;
    private final KafkaSettings settings;
    private final MeterRegistry metrics;
    private volatile AuditPublisher publisher;

    StowAuditFilter(KafkaSettings settings, MeterRegistry metrics, Clock clock) {
        this.trail = new StowAuditTrail(clock);
        this.settings = settings;
        this.metrics = metrics;
    }

    void register(@Observes Filters filters) {
        filters.register(this::audit, BEFORE_SECURITY);
    }

    private void audit(RoutingContext rc) {
        StowAuditTrail.route(rc.request().method().name(), rc.normalizedPath()).ifPresent(route ->
                rc.addHeadersEndHandler(v -> publish(rc, route)));
        rc.next();
    }

    private void publish(RoutingContext rc, StowAuditTrail.Route route) {
        SecurityIdentity identity = rc.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        boolean anonymous = identity == null || identity.isAnonymous();
        var address = rc.request().remoteAddress();
        AuditRecord record = trail.record(new StowAuditTrail.Attempt(route, anonymous ? null : identity.getPrincipal().getName(),
                anonymous ? List.of() : List.copyOf(identity.getRoles()), rc.response().getStatusCode(),
                address == null ? null : address.hostAddress(), rc.request().getHeader("X-Request-Id"),
                anonymous ? rc.get(StowIdentityProvider.FAILED_USER) : null, rc.get(StowAuditTrail.STUDIES_STORED)));
        metrics.counter("echostream.ingest.audit.records", "outcome", record.getOutcome().name()).increment();
        try {
            sender.execute(() -> publisher().send(record, (r, error) -> {
                if (error != null) {
                    lost(r, error.getMessage());
                }
            }));
        } catch (RejectedExecutionException e) {
            lost(record, QUEUE + " audit records already wait for the broker");
        }
    }

    /** Made on the first attempt: a service that is never posted to opens no audit producer. */
    private AuditPublisher publisher() {
        AuditPublisher p = publisher;
        if (p == null) {
            synchronized (this) {
                if (publisher == null) {
                    publisher = new AuditPublisher(settings);
                }
                p = publisher;
            }
        }
        return p;
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(10, TimeUnit.SECONDS);
        if (publisher != null) {
            publisher.close();
        }
    }

    private void lost(AuditRecord record, String why) {
        metrics.counter("echostream.ingest.audit.lost").increment();
        LOG.errorf("audit record %s (%s, status %d) not written to %s: %s", record.getEventId(), record.getAction(), record.getHttpStatus(),
                Topics.AUDIT.name(), why);
    }
}
