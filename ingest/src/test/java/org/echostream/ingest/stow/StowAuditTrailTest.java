package org.echostream.ingest.stow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.junit.jupiter.api.Test;

class StowAuditTrailTest {

    private final StowAuditTrail trail = new StowAuditTrail(Clock.fixed(Instant.parse("2026-12-04T03:00:00Z"), ZoneOffset.UTC), () -> "event-1");

    @Test
    void names_the_route_and_copies_the_url_study_only_when_it_is_a_uid() {
        assertThat(StowAuditTrail.route("POST", "/dicomweb/studies")).hasValue(new StowAuditTrail.Route("POST /dicomweb/studies", null));
        assertThat(StowAuditTrail.route("POST", "/dicomweb/studies/1.2.3")).hasValue(
                new StowAuditTrail.Route("POST /dicomweb/studies/{studyInstanceUid}", "1.2.3"));
        assertThat(StowAuditTrail.route("POST", "/dicomweb/studies/DOE^JANE").orElseThrow().studyInstanceUid()).isNull();
        assertThat(StowAuditTrail.route("POST", "/dicomweb/studies/1.2/series/x").orElseThrow().action())
                .isEqualTo("POST /dicomweb/studies (no such route)");
        assertThat(StowAuditTrail.route("GET", "/q/health")).isEmpty();
    }

    @Test
    void a_failed_sign_in_is_anonymous_and_denied_with_the_plain_name_it_tried_and_nothing_else() {
        AuditRecord r = trail.record(new StowAuditTrail.Attempt(StowAuditTrail.route("POST", "/dicomweb/studies").orElseThrow(), null,
                List.of(), 401, "10.1.2.3", "req-1", "sender", List.of()));
        assertThat(r.getPrincipal()).isEqualTo("anonymous");
        assertThat(r.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(r.getAttemptedUser()).isEqualTo("sender");
        AuditRecord typedPassword = trail.record(new StowAuditTrail.Attempt(StowAuditTrail.route("POST", "/dicomweb/studies").orElseThrow(),
                null, List.of(), 401, null, "req 2 with spaces", "my secret password!", List.of()));
        assertThat(typedPassword.getAttemptedUser()).as("free text is never recorded").isNull();
        assertThat(typedPassword.getRequestId()).isNull();
    }

    @Test
    void an_accepted_request_names_the_user_roles_and_the_studies_written() {
        AuditRecord r = trail.record(new StowAuditTrail.Attempt(StowAuditTrail.route("POST", "/dicomweb/studies").orElseThrow(), "sender",
                List.of("sender"), 202, "127.0.0.1", null, null, List.of("1.2.9", "1.2.3", "not a uid")));
        assertThat(r.getOutcome()).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(r.getPrincipal()).isEqualTo("sender");
        assertThat(r.getRoles()).containsExactly("sender");
        assertThat(r.getStudyInstanceUids()).containsExactly("1.2.3", "1.2.9");
        assertThat(r.getResourceType()).isEqualTo("stow");
        assertThat(r.getOccurredAt()).isEqualTo(Instant.parse("2026-12-04T03:00:00Z"));
    }
}
