package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.junit.jupiter.api.Test;

/**
 * The production sign-in: bearer tokens checked against the IdP's public key (here a key pair made by the
 * test, so no network IdP is needed), roles from the {@code groups} claim. Runs as its own application
 * start, so it also shows the api rebuilding its whole view from the topics.
 */
@QuarkusTest
@TestProfile(OidcSignInIT.OidcMode.class)
@WithTestResource(SeededKafkaResource.class)
class OidcSignInIT {

    static final KeyPair IDP = keyPair();
    static final KeyPair STRANGER = keyPair();
    static final String ISSUER = "https://idp.hospital.test/realms/echo";
    static final String AUDIENCE = "echostream-api";

    public static class OidcMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "echostream.api.auth.mode", "oidc",
                    "quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.public-key", Base64.getEncoder().encodeToString(IDP.getPublic().getEncoded()),
                    "quarkus.oidc.token.issuer", ISSUER,
                    "quarkus.oidc.token.audience", AUDIENCE,
                    "quarkus.oidc.roles.role-claim-path", "groups");
        }
    }

    static String token(PrivateKey key, String user, List<String> groups, Instant expires) throws Exception {
        return token(key, ISSUER, AUDIENCE, user, groups, expires);
    }

    /** A signed JWT; a null issuer, audience or expiry leaves that claim out. */
    static String token(PrivateKey key, String issuer, String audience, String user, List<String> groups, Instant expires) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{" + (issuer == null ? "" : "\"iss\":\"" + issuer + "\",") + (audience == null ? "" : "\"aud\":\"" + audience + "\",")
                + "\"sub\":\"" + user + "\",\"preferred_username\":\"" + user + "\",\"groups\":["
                + String.join(",", groups.stream().map(g -> "\"" + g + "\"").toList()) + "],\"iat\":" + Instant.now().minusSeconds(5).getEpochSecond()
                + (expires == null ? "" : ",\"exp\":" + expires.getEpochSecond()) + "}";
        String body = header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(body.getBytes(StandardCharsets.US_ASCII));
        return body + "." + b64.encodeToString(rsa.sign());
    }

    static ApiEndpointsIT.Call bearer(String token, String path) {
        String requestId = AuditLog.newRequestId();
        Response r = given().header("X-Request-Id", requestId).header("Authorization", "Bearer " + token).get(path);
        return new ApiEndpointsIT.Call(r, requestId);
    }

    @Test
    void a_clinician_token_reads_the_rebuilt_series_and_is_audited_by_name() throws Exception {
        String token = token(IDP.getPrivate(), "dr.oidc", List.of("clinician"), Instant.now().plusSeconds(600));
        ApiEndpointsIT.Call call = AuditLog.eventually("series answered after the rebuild", () -> {
            ApiEndpointsIT.Call c = bearer(token, "/api/v1/series/" + EchoFixtures.FLAGGED_SERIES);
            return c.response().statusCode() == 503 ? Optional.empty() : Optional.of(c);
        });
        assertThat(call.response().statusCode()).isEqualTo(200);
        assertThat(call.response().jsonPath().getDouble("anomalyScore")).isEqualTo(0.91);
        AuditRecord record = ApiEndpointsIT.audited(call, AuditOutcome.ALLOWED, "dr.oidc", "series", EchoFixtures.FLAGGED_SERIES);
        assertThat(record.getRoles()).containsExactly("clinician");
    }

    @Test
    void a_clinician_token_is_refused_the_jobs_with_403() throws Exception {
        String token = token(IDP.getPrivate(), "dr.oidc", List.of("clinician"), Instant.now().plusSeconds(600));
        ApiEndpointsIT.deniedWithoutPatientData(bearer(token, "/api/v1/jobs"), 403, "dr.oidc", "job-list", null);
        String admin = token(IDP.getPrivate(), "it.admin", List.of("admin"), Instant.now().plusSeconds(600));
        assertThat(bearer(admin, "/api/v1/jobs").response().statusCode()).isIn(200, 503);
    }

    @Test
    void a_valid_token_without_a_clinical_role_gets_403_on_patient_data() throws Exception {
        String token = token(IDP.getPrivate(), "it.helpdesk", List.of("helpdesk"), Instant.now().plusSeconds(600));
        ApiEndpointsIT.deniedWithoutPatientData(bearer(token, "/api/v1/studies/" + EchoFixtures.FLAGGED_STUDY), 403, "it.helpdesk",
                "study", EchoFixtures.FLAGGED_STUDY);
    }

    @Test
    void a_token_from_another_key_an_expired_token_and_a_password_are_all_401() throws Exception {
        String forged = token(STRANGER.getPrivate(), "mallory", List.of("admin"), Instant.now().plusSeconds(600));
        ApiEndpointsIT.deniedWithoutPatientData(bearer(forged, "/api/v1/studies"), 401, "anonymous", "study-list", null);
        String expired = token(IDP.getPrivate(), "dr.oidc", List.of("clinician"), Instant.now().minusSeconds(3600));
        ApiEndpointsIT.deniedWithoutPatientData(bearer(expired, "/api/v1/studies"), 401, "anonymous", "study-list", null);
        // Password sign-in is off in OIDC mode, even with a password the local file once held.
        assertThat(given().auth().preemptive().basic("clinician", "whatever").get("/api/v1/studies").statusCode()).isEqualTo(401);
        assertThat(given().get("/api/v1/auth").jsonPath().getString("mode")).isEqualTo("oidc");
    }

    @Test
    void a_token_of_the_same_idp_for_another_application_or_issuer_or_without_expiry_is_401() throws Exception {
        Instant later = Instant.now().plusSeconds(600);
        String otherApp = token(IDP.getPrivate(), ISSUER, "radiology-portal", "dr.oidc", List.of("clinician"), later);
        ApiEndpointsIT.deniedWithoutPatientData(bearer(otherApp, "/api/v1/studies"), 401, "anonymous", "study-list", null);
        String noAudience = token(IDP.getPrivate(), ISSUER, null, "dr.oidc", List.of("clinician"), later);
        ApiEndpointsIT.deniedWithoutPatientData(bearer(noAudience, "/api/v1/studies"), 401, "anonymous", "study-list", null);
        String otherIssuer = token(IDP.getPrivate(), "https://idp.elsewhere.test/realms/x", AUDIENCE, "dr.oidc", List.of("clinician"), later);
        ApiEndpointsIT.deniedWithoutPatientData(bearer(otherIssuer, "/api/v1/studies"), 401, "anonymous", "study-list", null);
        String forever = token(IDP.getPrivate(), ISSUER, AUDIENCE, "dr.oidc", List.of("clinician"), null);
        ApiEndpointsIT.deniedWithoutPatientData(bearer(forever, "/api/v1/studies"), 401, "anonymous", "study-list", null);
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
