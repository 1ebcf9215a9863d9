package org.echostream.findings;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.echostream.contracts.DeliveryState;
import org.echostream.contracts.FindingsDelivery;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.Topics;
import org.echostream.findings.report.DerivedUids;
import org.echostream.dicom.net.testing.Dciodvfy;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.TopicFixture;
import org.echostream.kafka.local.SharedLocalKafka;
import org.echostream.kafka.local.LocalKafkaTestResource;
import org.junit.jupiter.api.Test;

/**
 * The service as Quarkus wires it (configuration, CDI, the feed), against the real broker, with the default FOLDER
 * destination (target/findings-folder in the test profile): a finalised study's records in, its SR and KOS files
 * out, valid, the delivery recorded, and the counters in Prometheus.
 */
@QuarkusTest
@WithTestResource(LocalKafkaTestResource.class)
class FindingsFolderIT {

    @Test
    void writes_the_sr_and_kos_of_a_finalised_study_and_records_the_delivery() throws Exception {
        EchoStudy echo = new EchoStudy("2.25." + Math.abs(System.nanoTime()) + "3");
        String bootstrap = SharedLocalKafka.bootstrapServers();
        TopicFixture.produce(bootstrap, echo);

        List<FindingsDelivery> delivered = List.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (delivered.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(500);
            delivered = TopicFixture.read(bootstrap, Topics.FINDINGS_DELIVERIES.name(), echo.study).stream()
                    .map(AvroSerde.of(FindingsDelivery.class)::decode).filter(d -> d.getState() == DeliveryState.DELIVERED).toList();
        }

        assertThat(delivered).as("a DELIVERED record for study " + echo.study).hasSize(1);
        FindingsDelivery d = delivered.get(0);
        assertThat(d.getTransport()).isEqualTo("FOLDER");
        assertThat(d.getDestination()).isEqualTo("local-folder");
        Path study = Path.of("target/findings-folder", echo.study);
        for (String uid : List.of(DerivedUids.srInstance(echo.study, d.getResultVersion()), DerivedUids.kosInstance(echo.study, d.getResultVersion()))) {
            Path file = study.resolve(uid + ".dcm");
            assertThat(file).exists();
            Dciodvfy.Verdict verdict = Dciodvfy.check(file);
            assertThat(verdict.errors()).as(verdict.output()).isEmpty();
        }
        try (var files = Files.list(study)) {
            assertThat(files.count()).as("nothing but the SR and the KOS").isEqualTo(2);
        }
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("echostream_findings_deliveries_total{outcome=\"delivered\",reason=\"none\"}"));
    }
}
