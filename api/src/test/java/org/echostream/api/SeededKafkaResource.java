package org.echostream.api;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.kafka.local.SharedLocalKafka;

/**
 * The shared real broker with the fixture records already on the topics before the api starts, so every
 * test class exercises the rebuild from offset 0. Seeds once per JVM. The local credentials file goes to a
 * fresh folder under target/.
 */
public final class SeededKafkaResource implements QuarkusTestResourceLifecycleManager {

    private static boolean seeded;
    static Path credentialsFile;

    @Override
    public Map<String, String> start() {
        String bootstrap = SharedLocalKafka.bootstrapServers();
        seed(bootstrap);
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "api-data-");
            credentialsFile = dir.resolve("api-credentials.properties");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "quarkus.kafka.devservices.enabled", "false",
                "echostream.api.auth.credentials-file", credentialsFile.toString());
    }

    static synchronized void seed(String bootstrap) {
        if (seeded) {
            return;
        }
        seedInto(bootstrap);
        seeded = true;
    }

    /** The catalogue topics and every fixture record, on the broker at {@code bootstrap}. */
    static void seedInto(String bootstrap) {
        try {
            TopicCatalogueAdmin.ensureCatalogue(bootstrap, (short) 1);
            try (KafkaProducer<String, byte[]> producer = producer(bootstrap)) {
                for (var record : EchoFixtures.records()) {
                    producer.send(record).get(30, TimeUnit.SECONDS);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot seed the fixture records: " + e.getMessage(), e);
        }
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024), new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void stop() {
        // the shared broker outlives one application; its shutdown hook stops it
    }
}
