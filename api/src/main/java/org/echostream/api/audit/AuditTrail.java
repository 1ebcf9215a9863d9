package org.echostream.api.audit;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.echostream.contracts.AuditOutcome;
import org.echostream.api.model.Views;
import org.echostream.contracts.AuditRecord;

/** Builds the audit record of one request from what the HTTP layer saw. */
public final class AuditTrail {

    public static final String ANONYMOUS = "anonymous";
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[0-9A-Za-z.\\-_:]{1,64}");
    /** A sign-in name worth keeping; anything else (a password typed into the name field, free text) is not recorded. */
    private static final Pattern PLAIN_USER_NAME = Pattern.compile("[0-9A-Za-z._@\\-]{1,64}");
    private static final Pattern SAFE_UID = Pattern.compile("[0-9.]{1,64}");

    private final Clock clock;
    private final Supplier<String> eventIds;

    public AuditTrail(Clock clock) {
        this(clock, () -> UUID.randomUUID().toString());
    }

    public AuditTrail(Clock clock, Supplier<String> eventIds) {
        this.clock = clock;
        this.eventIds = eventIds;
    }

    /** What the HTTP layer saw of one request. */
    public record Request(AuditedRoutes.Match match, String principal, List<String> roles, int status, String clientAddress,
                          String requestId) {
    }

    /** As {@link #record(Request, Collection, String)} for a request that showed no study and was no failed sign-in. */
    public AuditRecord record(AuditedRoutes.Match match, String principal, List<String> roles, int status, String clientAddress,
                              String requestId) {
        return record(new Request(match, principal, roles, status, clientAddress, requestId), List.of(), null);
    }

    /**
     * @param studiesShown  Study Instance UIDs whose data the response carries
     * @param attemptedUser the name a failed sign-in gave, or null; such a request is a denial whatever its status
     *                      (a failed form login answers 302 to the error page)
     */
    public AuditRecord record(Request request, Collection<String> studiesShown, String attemptedUser) {
        String principal = request.principal();
        String attempted = attemptedUser == null || !PLAIN_USER_NAME.matcher(attemptedUser).matches() ? null : attemptedUser;
        return AuditRecord.newBuilder()
                .setEventId(eventIds.get())
                .setOccurredAt(clock.instant())
                .setPrincipal(principal == null || principal.isBlank() || attemptedUser != null ? ANONYMOUS : principal)
                .setRoles(request.roles() == null || attemptedUser != null ? List.of() : request.roles().stream().sorted().toList())
                .setAction(request.match().action())
                .setResourceType(request.match().resourceType())
                .setResourceId(request.match().resourceId())
                .setOutcome(attemptedUser != null ? AuditOutcome.DENIED : outcome(request.status()))
                .setHttpStatus(request.status())
                .setClientAddress(request.clientAddress())
                .setRequestId(request.requestId() != null && SAFE_REQUEST_ID.matcher(request.requestId()).matches() ? request.requestId() : null)
                .setStudyInstanceUids(studiesShown.stream().filter(uid -> uid != null && SAFE_UID.matcher(uid).matches())
                        .collect(java.util.stream.Collectors.toCollection(TreeSet::new)).stream().toList())
                .setAttemptedUser(attempted)
                .build();
    }

    /**
     * The studies a response body carries data of: the study itself, each study of a list, and a similar-studies
     * answer's neighbours (their dates and descriptions are shown).
     */
    public static List<String> studiesShown(Object entity) {
        TreeSet<String> studies = new TreeSet<>();
        collect(entity, studies);
        return List.copyOf(studies);
    }

    private static void collect(Object entity, TreeSet<String> into) {
        if (entity instanceof Views.OfStudy ofStudy && ofStudy.studyInstanceUid() != null) {
            into.add(ofStudy.studyInstanceUid());
        }
        if (entity instanceof Views.Similar similar) {
            similar.neighbours().forEach(n -> collect(n, into));
        } else if (entity instanceof Collection<?> items) {
            items.forEach(item -> collect(item, into));
        }
    }

    /** 401 and 403 are denials; a 404 or 400 was an allowed look that found nothing or was refused as malformed. */
    public static AuditOutcome outcome(int status) {
        if (status == 401 || status == 403) {
            return AuditOutcome.DENIED;
        }
        return status >= 500 ? AuditOutcome.ERROR : AuditOutcome.ALLOWED;
    }
}
