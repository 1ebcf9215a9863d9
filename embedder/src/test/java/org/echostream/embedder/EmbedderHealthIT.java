package org.echostream.embedder;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/** The service starts against the real broker, reports ready, and exposes Prometheus metrics. */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
class EmbedderHealthIT {

    @Test
    void reports_ready_once_started_against_the_real_broker() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'embedder' }.data.model", equalTo("echostream-tiny-test 0.0.1-test"))
                .body("checks.find { it.name == 'embedder' }.data.executionProvider", equalTo("CPU"))
                // the default transactional id expands ${HOSTNAME:local}
                .body("checks.find { it.name == 'embedder' }.data.transactionalId",
                        allOf(startsWith("echostream-embedder-"), not(containsString("$"))));
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("echostream_embedder_clips_total"))
                .body(containsString("echostream_embedder_batch_size_bucket"))
                .body(containsString("echostream_embedder_inference_seconds_bucket"))
                .body(containsString("echostream_embedder_consumer_lag"));
    }
}
