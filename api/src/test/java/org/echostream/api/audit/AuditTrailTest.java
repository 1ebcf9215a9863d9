package org.echostream.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.echostream.contracts.AuditOutcome;
import org.junit.jupiter.api.Test;

class AuditTrailTest {

    final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
    final AuditTrail trail = new AuditTrail(clock, () -> "e-1");
    final AuditedRoutes.Match match = new AuditedRoutes.Match("GET /api/v1/studies/{studyInstanceUid}", "study", "1.2.3");

    @Test
    void a_denial_without_a_login_is_recorded_as_anonymous() {
        var record = trail.record(match, null, null, 401, "127.0.0.1", null);
        assertThat(record.getPrincipal()).isEqualTo("anonymous");
        assertThat(record.getRoles()).isEmpty();
        assertThat(record.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(record.getOccurredAt()).isEqualTo(clock.instant());
        assertThat(record.getEventId()).isEqualTo("e-1");
    }

    @Test
    void outcome_follows_the_status() {
        assertThat(AuditTrail.outcome(200)).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(AuditTrail.outcome(404)).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(AuditTrail.outcome(403)).isEqualTo(AuditOutcome.DENIED);
        assertThat(AuditTrail.outcome(503)).isEqualTo(AuditOutcome.ERROR);
    }

    @Test
    void keeps_roles_sorted_and_drops_a_request_id_that_is_not_an_id() {
        var record = trail.record(match, "dr.a", List.of("clinician", "admin"), 200, "10.0.0.1", "Doe John <script>");
        assertThat(record.getRoles()).containsExactly("admin", "clinician");
        assertThat(record.getRequestId()).isNull();
    }
}
