package org.echostream.findings.delivery;

import java.time.Instant;
import java.util.Optional;

/** What to do about one ready result, given what was delivered before. */
public sealed interface Decision {

    /**
     * Send now.
     *
     * @param attempt     1 for a new result version, more when an earlier attempt failed transiently or was cut short
     * @param supersedes  the SR of the last result version delivered to this destination, which the new SR replaces
     */
    record Send(int attempt, Optional<String> supersedes) implements Decision {
    }

    /** This result version already reached this destination. */
    record AlreadyDelivered() implements Decision {
    }

    /** A transient failure asked for a pause: try again at {@code at}. */
    record RetryAt(Instant at) implements Decision {
    }

    /** This result version failed for good (refused, or attempts exhausted); only a new result version is sent. */
    record GaveUp(String reasonCode) implements Decision {
    }

    /** The attempts allowed for this result version are used up without a recorded outcome (e.g. crashes while sending). */
    record Exhausted(int attempts) implements Decision {
    }
}
