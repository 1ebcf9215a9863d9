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
 */
@ExtendWith(LocalKafkaExtension.class)
class StowIT {

    private static final String BOUNDARY = "echostream-test-boundary";
    private static final String MULTIPART = "multipart/related; type=\"application/dicom\"; boundary=" + BOUNDARY;

    @TempDir
    static Path dir;
    private static String bootstrap;
    private static PackagedIngest service;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        service = PackagedIngest.serve(bootstrap, dir, Map.of("echostream.model.dir", TestFiles.resource("model-short").toString(),
                "echostream.jobs.group-id", "ingest-jobs-" + UUID.randomUUID()));
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
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType).header("Accept", "application/dicom+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> sops(JsonNode sequence) {
        return sequence == null ? List.of() : java.util.stream.StreamSupport.stream(sequence.get("Value").spliterator(), false)
                .map(item -> item.get("00081155").get("Value").get(0).asText()).toList();
    }

    private static List<InstanceRecord> records(Set<String> sops) {
        return TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> sops.contains(r.key())).stream().map(r -> r.value()).toList();
    }
}
