package org.echostream.api.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuditedRoutesTest {

    @Test
    void names_the_route_template_and_the_uid() {
        var match = AuditedRoutes.match("GET", "/api/v1/series/1.2.3/loops/1.2.3.4/clips/7/keyframe.png").orElseThrow();
        assertThat(match.action()).isEqualTo("GET /api/v1/series/{seriesInstanceUid}/loops/{sopInstanceUid}/clips/{clipIndex}/keyframe.png");
        assertThat(match.resourceType()).isEqualTo("series");
        assertThat(match.resourceId()).isEqualTo("1.2.3");
    }

    @Test
    void never_copies_free_text_from_the_path() {
        assertThat(AuditedRoutes.match("GET", "/api/v1/studies/Doe^John").orElseThrow().resourceId()).isNull();
        var unknown = AuditedRoutes.match("GET", "/api/v1/patients/Doe^John").orElseThrow();
        assertThat(unknown.action()).isEqualTo("GET /api/v1 (no such route)");
        assertThat(unknown.resourceType()).isEqualTo("unknown");
    }

    @Test
    void the_public_sign_in_route_and_pages_outside_the_api_are_not_audited() {
        assertThat(AuditedRoutes.match("GET", "/api/v1/auth")).isEmpty();
        assertThat(AuditedRoutes.match("GET", "/index.html")).isEmpty();
        assertThat(AuditedRoutes.match("GET", "/q/health")).isEmpty();
    }

    @Test
    void the_method_is_part_of_the_route() {
        assertThat(AuditedRoutes.match("POST", "/api/v1/jobs").orElseThrow().action()).isEqualTo("POST /api/v1/jobs");
        assertThat(AuditedRoutes.match("DELETE", "/api/v1/jobs").orElseThrow().resourceType()).isEqualTo("unknown");
    }
}
