package org.echostream.api;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the read model caught up with what the topics held at start: before that, answers would be incomplete. */
@Readiness
@Singleton
class ReadModelReadiness implements HealthCheck {

    private final ReadModelFeed feed;

    ReadModelReadiness(ReadModelFeed feed) {
        this.feed = feed;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("read-model")
                .withData("recordsApplied", feed.recordsApplied())
                .withData("recordsToCatchUp", feed.recordsToCatchUp());
        if (feed.waitingFor() != null) {
            response.withData("waitingFor", feed.waitingFor());
        }
        if (feed.failure() != null) {
            return response.withData("failure", feed.failure()).down().build();
        }
        return response.status(feed.caughtUp()).build();
    }
}
