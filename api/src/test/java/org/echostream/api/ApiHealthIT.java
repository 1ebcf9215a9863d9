package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The service starts against the real broker, reports ready, and exposes Prometheus metrics. */
@QuarkusTest
// The same resource as the other ITs: one application start serves them all, and the credentials file goes to target/.
@WithTestResource(SeededKafkaResource.class)
class ApiHealthIT {

    @Test
    void reports_ready_once_started_against_the_real_broker() {
        // Ready means the read model caught up with the topics; poll briefly rather than race the rebuild.
        for (int i = 0; i < 100 && given().get("/q/health/ready").statusCode() != 200; i++) {
            sleep();
        }
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'read-model' }.status", equalTo("UP"));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }
}
