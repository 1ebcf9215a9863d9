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

    @Test
    void a_failed_sign_in_is_a_denial_naming_the_user_it_tried_whatever_the_status() {
        var request = new AuditTrail.Request(new AuditedRoutes.Match("POST /j_security_check", "sign-in", null), null, List.of(), 302,
                "127.0.0.1", null);
        var record = trail.record(request, List.of(), "dr.a");
        assertThat(record.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(record.getPrincipal()).isEqualTo("anonymous");
        assertThat(record.getAttemptedUser()).isEqualTo("dr.a");
    }

    @Test
    void an_attempted_name_that_is_not_a_plain_name_is_not_kept() {
        var request = new AuditTrail.Request(match, null, List.of(), 401, "127.0.0.1", null);
        var record = trail.record(request, List.of(), "Doe^John hunter2!");
        assertThat(record.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(record.getAttemptedUser()).isNull();
    }

    @Test
    void names_every_study_a_list_answer_carries_once_and_sorted() {
        var a = new org.echostream.api.model.Views.SeriesItem("1.2.3.1", "1.2.3", 1, null, "US", 1, 1, 1, 1, null, false, 0, "SCORED", null, null);
        var b = new org.echostream.api.model.Views.SeriesItem("1.2.2.1", "1.2.2", 1, null, "US", 1, 1, 1, 1, null, false, 0, "SCORED", null, null);
        var c = new org.echostream.api.model.Views.SeriesItem("1.2.3.2", "1.2.3", 2, null, "US", 1, 1, 1, 1, null, false, 0, "SCORED", null, null);
        assertThat(AuditTrail.studiesShown(List.of(a, b, c))).containsExactly("1.2.2", "1.2.3");
        assertThat(AuditTrail.studiesShown(new byte[3])).isEmpty();
        var record = trail.record(new AuditTrail.Request(match, "dr.a", List.of("clinician"), 200, null, null),
                List.of("1.2.3", "not a uid"), null);
        assertThat(record.getStudyInstanceUids()).containsExactly("1.2.3");
    }
}
