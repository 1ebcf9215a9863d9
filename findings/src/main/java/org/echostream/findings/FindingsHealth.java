package org.echostream.findings;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every topic was read to its end at start (earlier deliveries known); live while the feed thread runs. */
final class FindingsHealth {

    private FindingsHealth() {
    }

    @Readiness
    @Singleton
    static final class Ready implements HealthCheck {
        private final FindingsFeed feed;
        private final FindingsConfig config;

        Ready(FindingsFeed feed, FindingsConfig config) {
            this.feed = feed;
            this.config = config;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("findings").status(feed.caughtUp() && feed.failure() == null)
                    .withData("destination", config.findings().destination().name())
                    .withData("transport", config.findings().destination().transport().name());
            if (feed.failure() != null) {
                r.withData("failure", feed.failure());
            } else if (feed.waitingFor() != null) {
                r.withData("waiting", feed.waitingFor());
            } else if (!feed.caughtUp()) {
                r.withData("catching-up", feed.recordsToCatchUp() < 0 ? "starting" : feed.recordsToCatchUp() + " records to read");
            } else {
                r.withData("studies", feed.desk().studies()).withData("pending", feed.desk().pending())
                        .withData("deliveries-known", feed.desk().deliveriesKnown());
            }
            return r.build();
        }
    }

    @Liveness
    @Singleton
    static final class Live implements HealthCheck {
        private final FindingsFeed feed;

        Live(FindingsFeed feed) {
            this.feed = feed;
        }

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder r = HealthCheckResponse.named("findings-feed").status(feed.alive() && feed.failure() == null);
            if (feed.failure() != null) {
                r.withData("failure", feed.failure());
            }
            return r.build();
        }
    }
}
