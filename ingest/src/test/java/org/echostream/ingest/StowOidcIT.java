package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.PackagedIngest;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestIdp;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * STOW-RS in OIDC mode, as the manifests run it: the IdP's bearer tokens with the api's settings (issuer, audience,
 * key), role sender or admin from the token; passwords are refused and no local users file is made.
 */
@ExtendWith(LocalKafkaExtension.class)
class StowOidcIT {

    private static final String BOUNDARY = "echostream-oidc-boundary";
    private static final TestIdp IDP = new TestIdp();

    @TempDir
    static Path dir;
    private static String bootstrap;
    private static PackagedIngest service;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        Map<String, String> properties = new HashMap<>(IDP.settings("echostream.stow.auth.mode"));
        properties.put("echostream.model.dir", TestFiles.resource("model-short").toString());
        properties.put("echostream.jobs.group-id", "ingest-jobs-" + UUID.randomUUID());
        service = PackagedIngest.serve(bootstrap, dir, properties);
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void a_sender_token_stores_and_is_audited_by_name() throws Exception {
        String sop = uid();
        String requestId = "oidc-sender-" + UUID.randomUUID();
        HttpResponse<String> r = post(sop, "Bearer " + IDP.token("modality-7", List.of("sender")), requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, rec -> sop.equals(rec.key()))).hasSize(1);
        AuditRecord audit = audit(requestId);
        assertThat(audit.getPrincipal()).isEqualTo("modality-7");
        assertThat(audit.getOutcome()).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(Files.exists(PackagedIngest.credentialsFile(dir))).as("no local users file in OIDC mode").isFalse();
    }

    @Test
    void a_clinician_token_is_refused_with_403() throws Exception {
        String requestId = "oidc-clinician-" + UUID.randomUUID();
        HttpResponse<String> r = post(uid(), "Bearer " + IDP.token("dr-who", List.of("clinician")), requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(audit(requestId).getOutcome()).isEqualTo(AuditOutcome.DENIED);
    }

    @Test
    void a_token_of_another_key_an_expired_token_and_a_password_are_refused_with_401() throws Exception {
        String stranger = TestIdp.token(TestIdp.keyPair().getPrivate(), "mallory", List.of("sender"), Instant.now().plusSeconds(300));
        String expired = TestIdp.token(IDP.keys.getPrivate(), "modality-7", List.of("sender"), Instant.now().minusSeconds(600));
        String password = "Basic " + java.util.Base64.getEncoder().encodeToString("sender:anything".getBytes(StandardCharsets.UTF_8));
        for (String authorization : List.of("Bearer " + stranger, "Bearer " + expired, password)) {
            String requestId = "oidc-refused-" + UUID.randomUUID();
            String sop = uid();
            HttpResponse<String> r = post(sop, authorization, requestId);
            assertThat(r.statusCode()).as(authorization.substring(0, 12)).isEqualTo(401);
            assertThat(audit(requestId).getOutcome()).isEqualTo(AuditOutcome.DENIED);
            assertThat(TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, rec -> sop.equals(rec.key()))).isEmpty();
        }
        HttpResponse<String> anonymous = post(uid(), null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // Quarkus' Basic mechanism is on at build time and answers the challenge in both modes; the 401 is what counts
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
    }

    private HttpResponse<String> post(String sop, String authorization, String requestId) throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        body.write(new SyntheticEcho(100, 120, 40, 40, 0.8).toPart10(sop, true, false, 66));
        body.write(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + "/dicomweb/studies"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static AuditRecord audit(String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            var found = TopicReader.<AuditRecord>read(bootstrap, Topics.AUDIT, rec -> rec.value() != null && requestId.equals(rec.value().getRequestId()));
            if (!found.isEmpty()) {
                assertThat(found).hasSize(1);
                return found.get(0).value();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no audit record with request id " + requestId + " within 30 s");
            }
            Thread.sleep(250);
        }
    }

    private static String uid() {
        return "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
    }
}
