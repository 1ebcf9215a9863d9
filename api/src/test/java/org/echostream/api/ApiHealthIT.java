package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/** The service starts against the real broker, reports ready, and exposes Prometheus metrics. */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
class ApiHealthIT {

    @Test
    void reports_ready_once_started_against_the_real_broker() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
