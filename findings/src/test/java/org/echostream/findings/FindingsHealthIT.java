package org.echostream.findings;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/** The service starts against the real broker, reports ready once it has read every topic, and exposes Prometheus metrics. */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
class FindingsHealthIT {

    @Test
    void reports_ready_once_it_caught_up_with_the_topics() {
        // Ready means every topic was read to its end offsets at start; poll briefly rather than race the catch-up.
        for (int i = 0; i < 150 && given().get("/q/health/ready").statusCode() != 200; i++) {
            sleep();
        }
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'findings' }.data.transport", equalTo("FOLDER"));
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .body(containsString("echostream_findings_studies"))
                .body(containsString("echostream_findings_pending"));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
