package org.echostream.findings.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;

/**
 * Decides whether a result is sent, from the study's latest delivery record: never twice for the same result
 * version and destination once DELIVERED or FAILED; again after a transient failure once its back-off passed,
 * or after a SENDING record with no outcome (the service stopped mid-send: the derived SOP Instance UIDs make
 * the resend idempotent at the PACS); at once for a new result version, which supersedes whatever the previous
 * version was doing.
 *
 * @param maxAttempts    attempts per result version before it is FAILED
 * @param initialBackoff pause after the first transient failure, doubled after each one
 * @param maxBackoff     longest pause
 */
public record DeliveryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

    public DeliveryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("back-off " + initialBackoff + " to " + maxBackoff + " is not a range");
        }
    }

    public Decision decide(String resultVersion, String destination, Optional<FindingsDelivery> latest, Instant now) {
        if (latest.isEmpty()) {
            return new Decision.Send(1, Optional.empty());
        }
        FindingsDelivery last = latest.get();
        boolean sameDestination = last.getDestination().equals(destination);
        if (!sameDestination || !last.getResultVersion().equals(resultVersion)) {
            // A new result (or a new destination, which has seen none of the earlier documents).
            Optional<String> supersedes = !sameDestination ? Optional.empty()
                    : last.getState() == DeliveryState.DELIVERED ? Optional.of(last.getSrSopInstanceUid())
                    : Optional.ofNullable(last.getSupersedesSrSopInstanceUid());
            return new Decision.Send(1, supersedes);
        }
        Optional<String> supersedes = Optional.ofNullable(last.getSupersedesSrSopInstanceUid());
        return switch (last.getState()) {
            case DELIVERED -> new Decision.AlreadyDelivered();
            case FAILED -> new Decision.GaveUp(last.getReasonCode() == null ? "FAILED" : last.getReasonCode());
            case RETRYING -> last.getNextAttemptAt() != null && now.isBefore(last.getNextAttemptAt())
                    ? new Decision.RetryAt(last.getNextAttemptAt())
                    : next(last.getAttempts(), supersedes);
            case SENDING -> next(last.getAttempts(), supersedes);
        };
    }

    /** When to try again after transient failure number {@code attempt} (1-based): initial, doubled each time, capped. */
    public Instant nextAttemptAt(int attempt, Instant now) {
        Duration pause = initialBackoff;
        for (int i = 1; i < attempt && pause.compareTo(maxBackoff) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return now.plus(pause.compareTo(maxBackoff) > 0 ? maxBackoff : pause);
    }

    private Decision next(int attemptsSoFar, Optional<String> supersedes) {
        return attemptsSoFar >= maxAttempts ? new Decision.Exhausted(attemptsSoFar) : new Decision.Send(attemptsSoFar + 1, supersedes);
    }
}
