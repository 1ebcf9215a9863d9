package org.echostream.api.audit;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which requests are audited, and what they touch. Every route under {@code /api/v1} except the public
 * ones is audited, allowed or denied: the audit must not depend on a resource method being reached
 * (a 401 or 403 never reaches one). The resource id is the route's first path parameter, copied only when
 * it looks like a UID or job id, so free text typed into a URL never lands in the audit trail.
 */
public final class AuditedRoutes {

    public static final String PREFIX = "/api/v1/";

    /** @param action HTTP method and route template, e.g. {@code GET /api/v1/series/{seriesInstanceUid}} */
    public record Match(String action, String resourceType, String resourceId) {
    }

    private record Route(String method, String template, String resourceType, Pattern pattern) {
        Route(String method, String template, String resourceType) {
            this(method, template, resourceType, Pattern.compile(template.replaceAll("\\{[^}]+}", "([^/]+)")));
        }
    }

    /** The dashboard's form login: audited so that a failed sign-in is recorded with the name it tried. */
    public static final String FORM_SIGN_IN = "/j_security_check";

    private static final Pattern SAFE_ID = Pattern.compile("[0-9A-Za-z.\\-_]{1,128}");

    /** Routes that carry no patient data and need no login: the login page asks which sign-in to offer. */
    private static final List<String> PUBLIC = List.of("/api/v1/auth");

    private static final List<Route> ROUTES = List.of(
            new Route("GET", "/api/v1/studies", "study-list"),
            new Route("GET", "/api/v1/studies/{studyInstanceUid}", "study"),
            new Route("GET", "/api/v1/studies/{studyInstanceUid}/similar", "study"),
            new Route("GET", "/api/v1/series", "series-list"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}", "series"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}/timeline", "series"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}/feedback", "series-feedback"),
            new Route("POST", "/api/v1/series/{seriesInstanceUid}/feedback", "series-feedback"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}/loops/{sopInstanceUid}/cine", "series"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}/loops/{sopInstanceUid}/cine.png", "series"),
            new Route("GET", "/api/v1/series/{seriesInstanceUid}/loops/{sopInstanceUid}/clips/{clipIndex}/keyframe.png", "series"),
            new Route("GET", "/api/v1/events", "events"),
            new Route("GET", "/api/v1/events/stream", "events"),
            new Route("GET", "/api/v1/representation-health", "representation-health"),
            new Route("GET", "/api/v1/jobs", "job-list"),
            new Route("POST", "/api/v1/jobs", "job"),
            new Route("GET", "/api/v1/jobs/{jobId}", "job"),
            new Route("GET", "/api/v1/session", "session"),
            new Route("POST", "/api/v1/session/logout", "session"));

    private AuditedRoutes() {
    }

    /** The audit facts of a request, or empty when the request is not audited (outside the API or public). */
    public static Optional<Match> match(String method, String path) {
        if (FORM_SIGN_IN.equals(path) && "POST".equalsIgnoreCase(method)) {
            return Optional.of(new Match("POST " + FORM_SIGN_IN, "sign-in", null));
        }
        if (path == null || !(path.startsWith(PREFIX) || path.equals("/api/v1"))) {
            return Optional.empty();
        }
        String normalised = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (PUBLIC.contains(normalised)) {
            return Optional.empty();
        }
        for (Route route : ROUTES) {
            Matcher m = route.pattern().matcher(normalised);
            if (m.matches() && route.method().equalsIgnoreCase(method)) {
                String id = m.groupCount() >= 1 ? m.group(1) : null;
                return Optional.of(new Match(route.method() + " " + route.template(), route.resourceType(),
                        id != null && SAFE_ID.matcher(id).matches() ? id : null));
            }
        }
        // Never copy an unknown path: it could hold anything a caller typed.
        return Optional.of(new Match(safeMethod(method) + " /api/v1 (no such route)", "unknown", null));
    }

    private static String safeMethod(String method) {
        return method != null && method.matches("[A-Z]{1,10}") ? method : "OTHER";
    }
}
