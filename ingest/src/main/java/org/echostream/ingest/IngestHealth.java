package org.echostream.ingest;

import jakarta.inject.Singleton;
import java.io.IOException;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.SpoolFullException;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Health of the parts Kafka's own check does not see: the ledger, the SCP, the spool's free space, the job consumer. */
final class IngestHealth {

    private IngestHealth() {
    }

    @Readiness
    @Singleton
    static final class Ready implements HealthCheck {
        private final IngestService service;
        private final IngestConfig config;
        private final Spool spool;

        Ready(IngestService service, IngestConfig config, Spool spool) {
            this.service = service;
            this.config = config;
            this.spool = spool;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("ingest").up();
            if (config.command().isPresent()) {
                return r.withData("mode", config.command().get()).build();
            }
            r.withData("ledger", service.ledgerLoaded() ? "loaded" : "loading");
            if (!service.ledgerLoaded()) {
                r.down();
            }
            if (config.scp().enabled()) {
                boolean listening = service.scp() != null && service.scp().isListening();
                r.withData("scp", listening ? "listening on " + service.scp().port() : "not listening");
                if (!listening) {
                    r.down();
                }
                if (config.scp().tls().enabled()) {
                    boolean tls = service.tlsScp() != null && service.tlsScp().isListening();
                    r.withData("scp-tls", tls ? "listening on " + service.tlsScp().port() : "not listening");
                    if (!tls) {
                        r.down();
                    }
                }
            }
            try {
                spool.checkSpace();
                r.withData("spool", "ok");
            } catch (SpoolFullException e) {
                r.down().withData("spool", "full: instances are refused");
            } catch (IOException e) {
                r.down().withData("spool", "unreadable: " + e.getMessage());
            }
            return r.build();
        }
    }

    @Liveness
    @Singleton
    static final class Live implements HealthCheck {
        private final IngestService service;
        private final IngestConfig config;

        Live(IngestService service, IngestConfig config) {
            this.service = service;
            this.config = config;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("ingest-threads").up();
            if (config.command().isEmpty() && config.jobs().enabled() && service.jobs() != null && !service.jobs().isRunning()) {
                r.down().withData("jobs", "job-command consumer stopped");
            }
            return r.build();
        }
    }
}
