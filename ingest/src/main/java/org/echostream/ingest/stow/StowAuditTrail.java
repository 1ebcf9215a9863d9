package org.echostream.ingest.stow;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;

/**
 * The audit record (AuditRecord v2 on {@code echostream.audit.v1}, as the api writes them) of one STOW-RS attempt,
 * accepted or refused. Only what the HTTP layer saw: who (or, for a failed sign-in, the plain name it tried), the
 * route, the status, the client's address; never anything of the body, and the study of the URL only when it is a UID.
 */
public final class StowAuditTrail {

    public static final String ANONYMOUS = "anonymous";
    /** Routing-context key under which the resource leaves the studies a request stored instances of. */
    public static final String STUDIES_STORED = "echostream.stow.studies-stored";
    public static final String RESOURCE_TYPE = "stow";
    private static final String PREFIX = "/dicomweb/studies";
    private static final Pattern STUDY_ROUTE = Pattern.compile(Pattern.quote(PREFIX) + "/([^/]+)/?");
    private static final Pattern SAFE_UID = Pattern.compile("[0-9.]{1,64}");
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[0-9A-Za-z.\\-_:]{1,64}");
    /** A sign-in name worth keeping; anything else (a password typed into the name field, free text) is not recorded. */
    private static final Pattern PLAIN_USER_NAME = Pattern.compile("[0-9A-Za-z._@\\-]{1,64}");

    /** @param action method and route template; @param studyInstanceUid the study named in the URL, when it is a UID */
    public record Route(String action, String studyInstanceUid) {
    }

    /**
     * What the HTTP layer saw of one attempt.
     *
     * @param principal     the signed-in user, or null
     * @param attemptedUser the name a failed password sign-in gave, or null
     * @param studiesStored the studies the request wrote instances of (empty for a refused one)
     */
    public record Attempt(Route route, String principal, List<String> roles, int status, String clientAddress, String requestId,
                          String attemptedUser, List<String> studiesStored) {
    }

    private final Clock clock;
    private final Supplier<String> eventIds;

    public StowAuditTrail(Clock clock) {
        this(clock, () -> UUID.randomUUID().toString());
    }

    public StowAuditTrail(Clock clock, Supplier<String> eventIds) {
        this.clock = clock;
        this.eventIds = eventIds;
    }

    /** The STOW-RS route of a request, or empty when it is none (health, metrics). Every method counts: a GET there is an attempt too. */
    public static Optional<Route> route(String method, String path) {
        if (path == null || !(path.equals(PREFIX) || path.startsWith(PREFIX + "/"))) {
            return Optional.empty();
        }
        String verb = method != null && method.matches("[A-Z]{1,10}") ? method : "OTHER";
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            return Optional.of(new Route(verb + " " + PREFIX, null));
        }
        Matcher m = STUDY_ROUTE.matcher(path);
        if (m.matches()) {
            String study = SAFE_UID.matcher(m.group(1)).matches() ? m.group(1) : null;
            return Optional.of(new Route(verb + " " + PREFIX + "/{studyInstanceUid}", study));
        }
        // Never copy an unknown path: it could hold anything a caller typed.
        return Optional.of(new Route(verb + " " + PREFIX + " (no such route)", null));
    }

    public AuditRecord record(Attempt a) {
        boolean failedSignIn = a.attemptedUser() != null;
        String principal = a.principal() == null || a.principal().isBlank() || failedSignIn ? ANONYMOUS : a.principal();
        return AuditRecord.newBuilder()
                .setEventId(eventIds.get())
                .setOccurredAt(clock.instant())
                .setPrincipal(principal)
                .setRoles(a.roles() == null || failedSignIn ? List.of() : a.roles().stream().sorted().toList())
                .setAction(a.route().action())
                .setResourceType(RESOURCE_TYPE)
                .setResourceId(a.route().studyInstanceUid())
                .setOutcome(failedSignIn ? AuditOutcome.DENIED : outcome(a.status()))
                .setHttpStatus(a.status())
                .setClientAddress(a.clientAddress())
                .setRequestId(a.requestId() != null && SAFE_REQUEST_ID.matcher(a.requestId()).matches() ? a.requestId() : null)
                .setStudyInstanceUids(studies(a))
                .setAttemptedUser(failedSignIn && PLAIN_USER_NAME.matcher(a.attemptedUser()).matches() ? a.attemptedUser() : null)
                .build();
    }

    /** The study of the URL and every study written, each a UID (anything else an instance claimed is not copied), sorted. */
    private static List<String> studies(Attempt a) {
        java.util.TreeSet<String> studies = new java.util.TreeSet<>();
        if (a.route().studyInstanceUid() != null) {
            studies.add(a.route().studyInstanceUid());
        }
        if (a.studiesStored() != null) {
            a.studiesStored().stream().filter(uid -> SAFE_UID.matcher(uid).matches()).forEach(studies::add);
        }
        return List.copyOf(studies);
    }

    /** 401 and 403 are denials; a 4xx for a malformed body was an allowed attempt that stored nothing. */
    public static AuditOutcome outcome(int status) {
        if (status == 401 || status == 403) {
            return AuditOutcome.DENIED;
        }
        return status >= 500 ? AuditOutcome.ERROR : AuditOutcome.ALLOWED;
    }
}
