package org.echostream.api;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.echostream.api.audit.AuditTrail;
import org.echostream.api.feedback.FeedbackRules;
import org.echostream.api.jobs.ImportJobs;
import org.echostream.api.model.CineStore;
import org.echostream.api.model.ReadModel;

/** The pure cores, configured once. */
class ApiBeans {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    ReadModel readModel(ApiConfig config) {
        return new ReadModel(new CineStore(config.api().cine().maxBytes(), config.api().cine().maxFramesPerLoop()));
    }

    @Produces
    @Singleton
    AuditTrail auditTrail(Clock clock) {
        return new AuditTrail(clock);
    }

    @Produces
    @Singleton
    ImportJobs importJobs(Clock clock, ApiConfig config) {
        return new ImportJobs(clock, config.api().jobs().maxPaths());
    }

    @Produces
    @Singleton
    FeedbackRules feedbackRules(Clock clock, ApiConfig config) {
        return new FeedbackRules(clock, () -> java.util.UUID.randomUUID().toString(), config.api().feedback().maxCommentChars());
    }
}
