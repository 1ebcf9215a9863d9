package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.echostream.api.ApiEndpointsIT.audited;
import static org.echostream.api.ApiEndpointsIT.get;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.echostream.contracts.AuditOutcome;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.kafka.Topics;
import org.echostream.kafka.local.SharedLocalKafka;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Latents of a model of their own through the real broker, first from one distribution, then shifted: the
 * endpoint, the Prometheus gauges and the health group report the context DEGRADED. Small windows (profile) so a
 * few hundred clips suffice; the statistics are RepresentationMonitorTest's. Latents only: no study or instance
 * record, so the worklist the other tests read is unchanged.
 */
@QuarkusTest
@TestProfile(RepresentationHealthIT.SmallWindows.class)
@WithTestResource(SeededKafkaResource.class)
class RepresentationHealthIT {

    static final String MODEL = "drift-probe";
    static final String VERSION = "it-" + System.nanoTime();

    public static class SmallWindows implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "echostream.api.representation.reference-loops", "30",
                    "echostream.api.representation.drift-window-loops", "15",
                    "echostream.api.representation.evaluate-every-loops", "5",
                    "echostream.api.representation.permutations", "300",
                    "echostream.api.representation.alpha", "0.01",
                    "echostream.api.representation.consecutive-alarms", "2");
        }
    }

    @BeforeAll
    static void credentials() throws Exception {
        ApiEndpointsIT.readGeneratedCredentials();
    }

    @Test
    void a_shifted_latents_stream_turns_its_context_degraded_in_the_api_the_metrics_and_the_health_group() throws Exception {
        Random random = new Random(42);
        try (KafkaProducer<String, byte[]> producer = SeededKafkaResource.producer(SharedLocalKafka.bootstrapServers())) {
            publish(producer, random, 0, 60, 0.0);
            JsonPath before = AuditLog.eventually("60 loops of " + MODEL + " counted", () -> context(60));
            assertThat(before.getString("state")).isEqualTo("OK");
            assertThat(before.getString("scanner")).isEqualTo("unknown");
            assertThat(before.getInt("dimensions")).isEqualTo(EchoFixtures.DIM);
            assertThat(before.getDouble("rankMe")).isGreaterThan(3);
            assertThat(before.getList("trend")).isNotEmpty();

            publish(producer, random, 60, 40, 0.6);
        }
        JsonPath after = AuditLog.eventually("100 loops of " + MODEL + " counted", () -> context(100));
        assertThat(after.getString("state")).isEqualTo("DEGRADED");
        assertThat(after.getDouble("driftMmd2")).isGreaterThan(after.getDouble("driftThreshold"));
        assertThat(after.getList("trend.alarm")).contains(true, false);

        var call = get("clinician", "/api/v1/representation-health");
        audited(call, AuditOutcome.ALLOWED, "clinician", "representation-health", null);
        assertThat(AuditLog.forRequest(call.requestId()).getStudyInstanceUids()).isEmpty();

        String metrics = given().get("/q/metrics").asString();
        assertThat(metrics).containsPattern("echostream_api_representation_degraded\\{[^}]*model=\"" + MODEL + "@" + VERSION
                + "\"[^}]*scanner=\"unknown\"[^}]*} 1\\.0");
        assertThat(metrics).contains("echostream_api_representation_rankme{");
        var health = given().get("/q/health/group/representation");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.jsonPath().getString("checks[0].data.state")).isEqualTo("DEGRADED");
        assertThat(health.jsonPath().getString("checks[0].data.'" + MODEL + "@" + VERSION + " unknown'")).isEqualTo("DEGRADED");
        assertThat(given().get("/q/health/ready").statusCode()).as("drift does not take the api out of service").isEqualTo(200);
    }

    /** Loops of 4 clips, each around its own centre; {@code shift} moves the first half of the dimensions. */
    private static void publish(KafkaProducer<String, byte[]> producer, Random random, int from, int loops, double shift) throws Exception {
        ModelRef model = ModelRef.newBuilder(EchoFixtures.model()).setName(MODEL).setVersion(VERSION).setCalibrationSha256(null).build();
        for (int l = from; l < from + loops; l++) {
            String study = "1.2.826.0.1.3680043.8.498.990." + l;
            String series = study + ".1";
            String sop = series + ".1";
            double[] centre = new double[EchoFixtures.DIM];
            for (int i = 0; i < centre.length; i++) {
                centre[i] = Math.cos(i * 0.7) + 0.5 * random.nextGaussian() + (i < centre.length / 2 ? shift : 0);
            }
            for (int k = 0; k < 4; k++) {
                List<Float> embedding = new ArrayList<>();
                for (double c : centre) {
                    embedding.add((float) (c + 0.1 * random.nextGaussian()));
                }
                ClipRef ref = EchoFixtures.ref(study, series, sop, k);
                ClipLatents latents = ClipLatents.newBuilder(EchoFixtures.latents(ref, embedding)).setClipsInLoop(4).setModel(model).build();
                producer.send(EchoFixtures.record(Topics.LATENTS, series, latents)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Optional<JsonPath> context(int loops) {
        JsonPath all = get("clinician", "/api/v1/representation-health").response().jsonPath();
        List<Map<String, Object>> contexts = all.getList("findAll { it.model == '" + MODEL + "@" + VERSION + "' }");
        if (contexts.size() != 1 || ((Number) contexts.get(0).get("loops")).intValue() < loops) {
            return Optional.empty();
        }
        return Optional.of(new JsonPath(all.prettify()).setRootPath("find { it.model == '" + MODEL + "@" + VERSION + "' }"));
    }
}
