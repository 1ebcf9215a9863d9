package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.ClipSurprise;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.kafka.Topics;
import org.echostream.kafka.local.SharedLocalKafka;
import org.junit.jupiter.api.Test;

/**
 * Records arriving after the rebuild: poison and inconsistent records go to the api's dead-letter topic with
 * a reason while the records after them still arrive, and new anomaly events reach open event streams.
 */
@QuarkusTest
@WithTestResource(SeededKafkaResource.class)
class ReadModelLiveIT {

    @TestHTTPResource("/")
    URL root;

    private static void send(ProducerRecord<String, byte[]> record) throws Exception {
        try (KafkaProducer<String, byte[]> producer = SeededKafkaResource.producer(SharedLocalKafka.bootstrapServers())) {
            producer.send(record).get(20, TimeUnit.SECONDS);
        }
    }

    private static List<String> eventIds() {
        return given().auth().preemptive().basic("clinician", Credentials.password("clinician"))
                .get("/api/v1/events?limit=500").jsonPath().getList("eventId");
    }

    @Test
    void a_poison_record_goes_to_the_dead_letter_topic_and_the_next_record_still_arrives() throws Exception {
        byte[] garbage = ("not avro " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        send(new ProducerRecord<>(Topics.ANOMALY_EVENTS.name(), EchoFixtures.FLAGGED_SERIES, garbage));
        String eventId = EchoFixtures.FLAGGED_SOP + "/after-poison-" + UUID.randomUUID();
        send(EchoFixtures.record(Topics.ANOMALY_EVENTS, EchoFixtures.FLAGGED_SERIES, EchoFixtures.eventRecord(EchoFixtures.FLAGGED_STUDY,
                EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP, 1, 2, eventId, Instant.now())));

        String sha = org.echostream.contracts.kafka.DeadLetters.sha256(garbage);
        DeadLetter letter = AuditLog.deadLetter(d -> sha.equals(d.getPayloadSha256()), "dead letter for the poison record");
        assertThat(letter.getService()).isEqualTo("api");
        assertThat(letter.getReasonCode()).isEqualTo("NOT_SINGLE_OBJECT_ENCODED");
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.ANOMALY_EVENTS.name());
        assertThat(letter.getSourceKey()).isEqualTo(EchoFixtures.FLAGGED_SERIES);
        assertThat(letter.getReasonDetail()).contains(Topics.ANOMALY_EVENTS.name() + "-");
        AuditLog.eventually("event after the poison record", () -> eventIds().contains(eventId) ? Optional.of(true) : Optional.empty());
    }

    @Test
    void a_surprise_map_that_does_not_fit_its_token_grid_is_refused_with_the_reason() throws Exception {
        String sop = EchoFixtures.ROOT + ".9.1." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
        ClipSurprise bad = ClipSurprise.newBuilder(EchoFixtures.surprise(EchoFixtures.ref(EchoFixtures.NORMAL_STUDY, EchoFixtures.NORMAL_SERIES, sop, 1),
                1.0, false, new java.util.Random(1))).setTokenSurprise(List.of(0.1f, 0.2f)).build();
        send(EchoFixtures.record(Topics.SURPRISE, EchoFixtures.NORMAL_SERIES, bad));
        DeadLetter letter = AuditLog.deadLetter(d -> d.getReasonDetail().contains(sop), "dead letter for the inconsistent surprise");
        assertThat(letter.getReasonCode()).isEqualTo("INVALID_RECORD");
        assertThat(letter.getReasonDetail()).contains("token grid [8, 7, 7] has 392 tokens, the map has 2 values");
    }

    @Test
    void a_new_anomaly_event_reaches_an_open_event_stream() throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String auth = Base64.getEncoder().encodeToString(("clinician:" + Credentials.password("clinician")).getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(root.toString() + "api/v1/events/stream"))
                .header("Authorization", "Basic " + auth).header("Accept", "text/event-stream").GET().build();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String eventId = EchoFixtures.FLAGGED_SOP + "/live-" + UUID.randomUUID();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = reader.readLine()) != null) {
                    if (l.startsWith("data:") && l.contains(eventId)) {
                        return l;
                    }
                }
                return null;
            } catch (java.io.IOException e) {
                return null;
            }
        });
        send(EchoFixtures.record(Topics.ANOMALY_EVENTS, EchoFixtures.FLAGGED_SERIES, EchoFixtures.eventRecord(EchoFixtures.FLAGGED_STUDY,
                EchoFixtures.FLAGGED_SERIES, EchoFixtures.FLAGGED_SOP, 2, 4, eventId, Instant.now())));
        String data = line.get(20, TimeUnit.SECONDS);
        assertThat(data).contains("\"peakScore\":6.2").contains("\"model\":{\"name\":\"echojepa-sim-tiny\"");
        response.body().close();
    }
}
