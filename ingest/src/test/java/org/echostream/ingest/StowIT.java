package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.kafka.Topics;
import org.echostream.ingest.testing.PackagedIngest;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * STOW-RS on the packaged service against the real broker: stored instances are on Kafka when the answer comes,
 * refused ones are named in the Failed SOP Sequence with a reason, a whole request of the wrong kind is refused.
 * Only a signed-in sender (or admin) may post, and every attempt, accepted or refused, is on the audit topic.
 */
@ExtendWith(LocalKafkaExtension.class)
class StowIT {

    private static final String BOUNDARY = "echostream-test-boundary";
    private static final String MULTIPART = "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY;

    @TempDir
    static Path dir;
    private static String bootstrap;
    private static PackagedIngest service;
    private static String senderAuth;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        service = PackagedIngest.serve(bootstrap, dir, Map.of("echostream.model.dir", TestFiles.resource("model-short").toString(),
                "echostream.jobs.group-id", "ingest-jobs-" + UUID.randomUUID()));
        // the service generated the local users file at start, as the api does: the operator reads the password there
        senderAuth = basic("sender", PackagedIngest.password(dir, "sender"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void stores_every_instance_and_kafka_holds_them_when_the_answer_comes() throws Exception {
        String a = uid();
        String b = uid();
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, multipart(loop(a), loop(b)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/dicom+json");
        JsonNode body = json.readTree(r.body());
        assertThat(body.has("00081198")).isFalse();
        assertThat(sops(body.get("00081199"))).containsExactlyInAnyOrder(a, b);
        var records = records(Set.of(a, b));
        assertThat(records).hasSize(2);
        assertThat(records).allSatisfy(i -> assertThat(i.getSourceKind()).isEqualTo("STOW"));
    }

    @Test
    void sending_an_instance_again_answers_stored_and_publishes_it_once() throws Exception {
        String a = uid();
        byte[] instance = loop(a);
        assertThat(post("/dicomweb/studies", MULTIPART, multipart(instance)).statusCode()).isEqualTo(200);
        HttpResponse<String> again = post("/dicomweb/studies", MULTIPART, multipart(instance));

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(sops(json.readTree(again.body()).get("00081199"))).containsExactly(a);
        assertThat(records(Set.of(a))).hasSize(1);
    }

    @Test
    void rejects_a_truncated_instance_with_its_reason_and_stores_the_others() throws Exception {
        String good = uid();
        byte[] truncated = Files.readAllBytes(TestFiles.PYDICOM.resolve("MR_truncated.dcm"));
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, multipart(loop(good), truncated));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode body = json.readTree(r.body());
        assertThat(sops(body.get("00081199"))).containsExactly(good);
        JsonNode failed = body.get("00081198").get("Value").get(0);
        assertThat(failed.get("00081197").get("Value").get(0).asInt()).isEqualTo(0xC000);
        assertThat(failed.get("00000902").get("Value").get(0).asText()).contains("TRUNCATED");
        assertThat(records(Set.of(good))).hasSize(1);
    }

    @Test
    void refuses_an_instance_of_another_study_than_the_one_in_the_url_with_409() throws Exception {
        String sop = uid();
        HttpResponse<String> r = post("/dicomweb/studies/1.2.3.4.5", MULTIPART, multipart(loop(sop)));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        JsonNode failed = json.readTree(r.body()).get("00081198").get("Value").get(0);
        assertThat(failed.get("00081155").get("Value").get(0).asText()).isEqualTo(sop);
        assertThat(failed.get("00081197").get("Value").get(0).asInt()).isEqualTo(0xA900);
        assertThat(failed.get("00000902").get("Value").get(0).asText()).contains("not to 1.2.3.4.5");
        assertThat(records(Set.of(sop))).isEmpty();
    }

    @Test
    void refuses_a_request_that_is_not_multipart_dicom_with_415_and_the_reason() throws Exception {
        HttpResponse<String> r = post("/dicomweb/studies", "application/json", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(json.readTree(r.body()).get("error").asText()).contains("multipart/related");
    }

    @Test
    void refuses_a_body_without_any_part_with_400() throws Exception {
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, ("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json.readTree(r.body()).get("error").asText()).isNotBlank();
    }

    @Test
    void refuses_a_request_without_credentials_with_401_stores_nothing_and_audits_the_attempt() throws Exception {
        String sop = uid();
        String requestId = "stow-anon-" + UUID.randomUUID();
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, multipart(loop(sop)), null, requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        // the scheme name is case-insensitive (RFC 9110 11.1); Quarkus writes it in lower case
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWithIgnoringCase("basic");
        AuditRecord audit = audit(requestId);
        assertThat(audit.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(audit.getPrincipal()).isEqualTo("anonymous");
        assertThat(audit.getHttpStatus()).isEqualTo(401);
        assertThat(audit.getAction()).isEqualTo("POST /dicomweb/studies");
        assertThat(audit.getClientAddress()).isEqualTo("127.0.0.1");
        assertThat(records(Set.of(sop))).as("nothing of a refused request is published").isEmpty();
    }

    @Test
    void refuses_a_wrong_password_with_401_and_audits_the_name_it_tried() throws Exception {
        String requestId = "stow-wrong-" + UUID.randomUUID();
        HttpResponse<String> r = post("/dicomweb/studies/1.2.3.4", MULTIPART, multipart(loop(uid())), basic("sender", "not-the-password"),
                requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        AuditRecord audit = audit(requestId);
        assertThat(audit.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(audit.getPrincipal()).isEqualTo("anonymous");
        assertThat(audit.getAttemptedUser()).isEqualTo("sender");
        assertThat(audit.getAction()).isEqualTo("POST /dicomweb/studies/{studyInstanceUid}");
        assertThat(audit.getResourceId()).isEqualTo("1.2.3.4");
    }

    @Test
    void refuses_a_clinician_with_403_stores_nothing_and_audits_who_it_was() throws Exception {
        String sop = uid();
        String requestId = "stow-clinician-" + UUID.randomUUID();
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, multipart(loop(sop)),
                basic("clinician", PackagedIngest.password(dir, "clinician")), requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        AuditRecord audit = audit(requestId);
        assertThat(audit.getOutcome()).isEqualTo(AuditOutcome.DENIED);
        assertThat(audit.getPrincipal()).isEqualTo("clinician");
        assertThat(audit.getRoles()).containsExactly("clinician");
        assertThat(records(Set.of(sop))).isEmpty();
    }

    @Test
    void a_signed_in_sender_stores_and_the_accepted_request_is_audited() throws Exception {
        String sop = uid();
        String requestId = "stow-sender-" + UUID.randomUUID();
        HttpResponse<String> r = post("/dicomweb/studies", MULTIPART, multipart(loop(sop)), senderAuth, requestId);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<InstanceRecord> stored = records(Set.of(sop));
        assertThat(stored).hasSize(1);
        AuditRecord audit = audit(requestId);
        assertThat(audit.getStudyInstanceUids()).as("the study written").containsExactly(stored.get(0).getStudyInstanceUid());
        assertThat(audit.getOutcome()).isEqualTo(AuditOutcome.ALLOWED);
        assertThat(audit.getPrincipal()).isEqualTo("sender");
        assertThat(audit.getRoles()).containsExactly("sender");
        assertThat(audit.getHttpStatus()).isEqualTo(200);
    }

    /** The audit record of one request, by its request id; records are written once the status is known, so wait (bounded). */
    private static AuditRecord audit(String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            var found = TopicReader.<AuditRecord>read(bootstrap, Topics.AUDIT, rec -> rec.value() != null && requestId.equals(rec.value().getRequestId()));
            if (!found.isEmpty()) {
                assertThat(found).as("one record per attempt").hasSize(1);
                return found.get(0).value();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no audit record with request id " + requestId + " on " + Topics.AUDIT.name() + " within 30 s");
            }
            Thread.sleep(250);
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String uid() {
        return "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
    }

    private static byte[] loop(String sop) {
        return new SyntheticEcho(100, 120, 40, 40, 0.8).toPart10(sop, true, false, 66);
    }

    private static byte[] multipart(byte[]... instances) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] instance : instances) {
            out.write(("--" + BOUNDARY + "\r\nContent-Type: application/dicom\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(instance);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
        return post(path, contentType, body, senderAuth, null);
    }

    private HttpResponse<String> post(String path, String contentType, byte[] body, String authorization, String requestId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (requestId != null) {
            b.header("X-Request-Id", requestId);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> sops(JsonNode sequence) {
        return sequence == null ? List.of() : java.util.stream.StreamSupport.stream(sequence.get("Value").spliterator(), false)
                .map(item -> item.get("00081155").get("Value").get(0).asText()).toList();
    }

    private static List<InstanceRecord> records(Set<String> sops) {
        return TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> sops.contains(r.key())).stream().map(r -> r.value()).toList();
    }
}
