package org.echostream.api.audit;

import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;

/** Builds the audit record of one request from what the HTTP layer saw. */
public final class AuditTrail {

    public static final String ANONYMOUS = "anonymous";
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[0-9A-Za-z.\\-_:]{1,64}");

    private final Clock clock;
    private final Supplier<String> eventIds;

    public AuditTrail(Clock clock) {
        this(clock, () -> UUID.randomUUID().toString());
    }

    public AuditTrail(Clock clock, Supplier<String> eventIds) {
        this.clock = clock;
        this.eventIds = eventIds;
    }

    /**
     * @param principal authenticated user name, or null for an anonymous (or failed) login
     * @param status    the HTTP status sent
     */
    public AuditRecord record(AuditedRoutes.Match match, String principal, List<String> roles, int status, String clientAddress,
                              String requestId) {
        return AuditRecord.newBuilder()
                .setEventId(eventIds.get())
                .setOccurredAt(clock.instant())
                .setPrincipal(principal == null || principal.isBlank() ? ANONYMOUS : principal)
                .setRoles(roles == null ? List.of() : roles.stream().sorted().toList())
                .setAction(match.action())
                .setResourceType(match.resourceType())
                .setResourceId(match.resourceId())
                .setOutcome(outcome(status))
                .setHttpStatus(status)
                .setClientAddress(clientAddress)
                .setRequestId(requestId != null && SAFE_REQUEST_ID.matcher(requestId).matches() ? requestId : null)
                .build();
    }

    /** 401 and 403 are denials; a 404 or 400 was an allowed look that found nothing or was refused as malformed. */
    public static AuditOutcome outcome(int status) {
        if (status == 401 || status == 403) {
            return AuditOutcome.DENIED;
        }
        return status >= 500 ? AuditOutcome.ERROR : AuditOutcome.ALLOWED;
    }
}
