package org.echostream.anomaly;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.echostream.anomaly.testing.SyntheticModelTestResource;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/** The service starts against the real broker with a calibrated model, reports ready, and exposes Prometheus metrics. */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
@WithTestResource(SyntheticModelTestResource.class)
class AnomalyHealthIT {

    @Test
    void reports_ready_with_the_model_it_is_calibrated_for() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("anomaly-calibration"))
                .body("checks.find { it.name == 'anomaly-calibration' }.data.calibrated", equalTo(true))
                .body("checks.find { it.name == 'anomaly-calibration' }.data.model", containsString("echostream-test-tiny"));
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"))
                .body(containsString("echostream_anomaly_calibrated 1.0"));
    }
}
