package org.echostream.ingest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.echostream.ingest.testing.ScpPortTestResource;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/**
 * The service starts against the real broker, reports ready (ledger loaded, SCP listening, spool writable),
 * and exposes Prometheus metrics. The records it publishes are checked on the packaged application
 * ({@link PackagedServiceIT}), where Avro and the contract classes share one class loader as in production.
 */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
@WithTestResource(ScpPortTestResource.class)
class IngestHealthIT {

    @Test
    void reports_ready_once_started_against_the_real_broker() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body(containsString("listening on"));
    }

    @Test
    void exposes_prometheus_metrics() {
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .body(containsString("echostream_ingest_spool_free_bytes"))
                .body(containsString("echostream_ingest_ledger_instances"));
    }
}
