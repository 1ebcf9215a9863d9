package org.echostream.api.jobs;

import org.echostream.contracts.JobCommand;

/** The outcome of a job request: a command to publish, or why it was refused (answered with 400). */
public sealed interface JobSubmission {

    record Accepted(JobCommand command) implements JobSubmission {
    }

    record Rejected(String reason) implements JobSubmission {
    }
}
