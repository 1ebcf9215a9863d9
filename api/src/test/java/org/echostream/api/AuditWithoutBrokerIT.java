package org.echostream.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.echostream.contracts.AuditRecord;
import org.echostream.contracts.kafka.Topics;
import org.echostream.kafka.local.LocalKafka;
import org.junit.jupiter.api.Test;

/**
 * The audit trail cannot be skipped: with the broker stopped, an answer carrying patient data leaves only
 * once its audit record is fsynced to the local backlog, is withheld (503) when the backlog cannot take it,
 * and the backlog reaches the audit topic once the broker is back. Runs on a broker of its own, which it
 * stops and restarts.
 */
@QuarkusTest
@TestProfile(AuditWithoutBrokerIT.SmallBacklog.class)
@WithTestResource(AuditWithoutBrokerIT.StoppableKafka.class)
class AuditWithoutBrokerIT {

    static Path backlog;
    static Path credentials;
    static LocalKafka broker;

    public static class SmallBacklog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "echostream.api.audit.commit-timeout", "2s",
                    "echostream.api.audit.backlog.max-records", "1",
                    "echostream.api.audit.backlog.retry-interval", "1s");
        }
    }

    public static class StoppableKafka implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "api-audit-");
                backlog = dir.resolve("audit-backlog");
                credentials = dir.resolve("api-credentials.properties");
                broker = new LocalKafka(new LocalKafka.Config(freePort(), freePort(), dir.resolve("kafka"), "512m",
                        Duration.ofSeconds(90), Map.of())).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            SeededKafkaResource.seedInto(broker.bootstrapServers());
            return Map.of(
                    "kafka.bootstrap.servers", broker.bootstrapServers(),
                    "echostream.api.auth.credentials-file", credentials.toString(),
                    "echostream.api.audit.backlog.dir", backlog.toString());
        }

        @Override
        public void stop() {
            broker.close();
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }
    }

    static String password() throws IOException {
        Properties p = new Properties();
        try (var in = new FileInputStream(credentials.toFile())) {
            p.load(in);
        }
        return p.getProperty("clinician.password");
    }

    static ApiEndpointsIT.Call study(String password) {
        String requestId = AuditLog.newRequestId();
        return new ApiEndpointsIT.Call(given().header("X-Request-Id", requestId).auth().preemptive().basic("clinician", password)
                .get("/api/v1/studies/" + EchoFixtures.FLAGGED_STUDY), requestId);
    }

    static List<Path> backlogFiles() {
        try (Stream<Path> files = Files.list(backlog)) {
            return files.filter(f -> f.toString().endsWith(".audit")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void with_the_broker_stopped_patient_data_leaves_only_after_its_audit_record_is_on_disk_or_not_at_all() throws Exception {
        String password = password();
        AuditLog.eventually("study answered after the rebuild", () -> {
            ApiEndpointsIT.Call c = study(password);
            return c.response().statusCode() == 200 ? Optional.of(c) : Optional.empty();
        });

        broker.close();
        ApiEndpointsIT.Call queued = study(password);
        assertThat(queued.response().statusCode()).isEqualTo(200);
        assertThat(backlogFiles()).hasSize(1);
        Thread.currentThread().setContextClassLoader(AuditWithoutBrokerIT.class.getClassLoader());
        AuditRecord onDisk = Topics.AUDIT.valueSerde().deserializer().deserialize(Topics.AUDIT.name(),
                Files.readAllBytes(backlogFiles().get(0)));
        assertThat(onDisk.getRequestId()).isEqualTo(queued.requestId());
        assertThat(onDisk.getPrincipal()).isEqualTo("clinician");
        assertThat(onDisk.getStudyInstanceUids()).containsExactly(EchoFixtures.FLAGGED_STUDY);

        ApiEndpointsIT.Call withheld = study(password);
        assertThat(withheld.response().statusCode()).isEqualTo(503);
        assertThat(withheld.response().asString()).contains("audit trail").contains("is full")
                .doesNotContain("Fixture^").doesNotContain(EchoFixtures.FLAGGED_SERIES);
        assertThat(given().get("/q/metrics").asString()).contains("echostream_api_audit_backlog 1.0");

        broker.start();
        AuditLog.eventually("audit backlog sent once the broker is back", () -> backlogFiles().isEmpty() ? Optional.of(true) : Optional.empty());
        AuditRecord onTopic = AuditLog.await(broker.bootstrapServers(), Topics.AUDIT, r -> queued.requestId().equals(r.getRequestId()),
                "audit record of the queued request");
        assertThat(onTopic.getStudyInstanceUids()).containsExactly(EchoFixtures.FLAGGED_STUDY);
    }
}
