package org.echostream.embedder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.kafka.AvroSerde;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.contracts.kafka.Topics;
import org.echostream.embedder.stream.KafkaTestTopics;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.SharedLocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, built by {@code package} before failsafe runs)
 * as a real process against its own broker: SIGKILL mid-stream and restart keep the committed output exact;
 * a tampered model stops the start with the reason.
 */
class EmbedderProcessIT {

    private static final AvroSerde<Clip> CLIPS = AvroSerde.of(Clip.class);
    private static final AvroSerde<ClipLatents> LATENTS = AvroSerde.of(ClipLatents.class);
    private static final int CLIP_COUNT = 1500;
    private static LocalKafka broker;

    @TempDir
    Path temp;

    @BeforeAll
    static void broker() throws Exception {
        // Its own broker: this test owns the catalogue topics and the embedder group, nobody else may consume them.
        broker = new LocalKafka(LocalKafka.Config.defaults(SharedLocalKafka.testDataDir())).start();
        TopicCatalogueAdmin.ensureCatalogue(broker.bootstrapServers(), (short) 1);
        new KafkaTestTopics(broker.bootstrapServers()).awaitLeaders(List.of(Topics.CLIPS.name(), Topics.LATENTS.name(),
                Topics.DLQ_EMBEDDER.name()));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void an_instance_killed_mid_stream_and_restarted_leaves_every_clip_exactly_once_in_committed_output() throws Exception {
        KafkaTestTopics kafka = new KafkaTestTopics(broker.bootstrapServers());
        Set<String> expected = new HashSet<>();
        try (KafkaProducer<String, byte[]> producer = kafka.producer()) {
            for (int i = 0; i < CLIP_COUNT; i++) {
                Clip clip = TestClips.clip("1.2.826.0.3." + (i % 30), i / 30, 9000 + i);
                expected.add(key(clip));
                producer.send(new ProducerRecord<>(Topics.CLIPS.name(), clip.getRef().getSeriesInstanceUid(), CLIPS.encode(clip)));
            }
            producer.flush();
        }

        Service first = start(TestClips.TINY_MODEL.toAbsolutePath(), temp.resolve("first.log"));
        int committedAtKill;
        try {
            awaitReady(first);
            committedAtKill = kafka.readAll(Topics.LATENTS.name(), "read_committed", 150, Duration.ofSeconds(60), Duration.ZERO).size();
        } finally {
            first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no abort, an open transaction stays open
            first.process().waitFor(30, TimeUnit.SECONDS);
        }
        int uncommittedAtKill = kafka.readAll(Topics.LATENTS.name(), "read_uncommitted", 0, Duration.ofSeconds(2), Duration.ZERO).size();
        System.out.printf("killed with %d latents committed, %d written (committed or not), of %d clips%n",
                committedAtKill, uncommittedAtKill, CLIP_COUNT);
        assertThat(committedAtKill).as("killed mid-stream").isBetween(150, CLIP_COUNT - 1);

        Service second = start(TestClips.TINY_MODEL.toAbsolutePath(), temp.resolve("second.log"));
        try {
            awaitReady(second);
            List<ConsumerRecord<String, byte[]>> out = kafka.readAll(Topics.LATENTS.name(), "read_committed", CLIP_COUNT,
                    Duration.ofSeconds(120), Duration.ofSeconds(3));

            List<String> keys = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> r : out) {
                keys.add(key(LATENTS.decode(r.value())));
            }
            assertThat(keys).doesNotHaveDuplicates().hasSize(CLIP_COUNT);
            assertThat(Set.copyOf(keys)).isEqualTo(expected);
        } finally {
            second.process().destroy();
            second.process().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void a_tampered_model_file_stops_the_start_and_the_log_says_why() throws Exception {
        Path release = temp.resolve("release");
        Files.createDirectories(release);
        try (Stream<Path> files = Files.list(TestClips.TINY_MODEL)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, release.resolve(file.getFileName()));
            }
        }
        Files.write(release.resolve("predictor.onnx"), new byte[] {42}, StandardOpenOption.APPEND);

        Path log = temp.resolve("tampered.log");
        Process process = start(release, log).process();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(log);

        assertThat(exited).as("the service exits instead of running on a tampered model").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains("predictor.onnx has sha256").contains("but the manifest says").contains("refusing");
    }

    /** A started service process and the HTTP port it was told to use. */
    private record Service(Process process, int port, Path log) {
    }

    private Service start(Path modelDir, Path log) throws IOException {
        int port = freePort();
        String jar = System.getProperty("embedder-it.app", "target/quarkus-app/quarkus-run.jar");
        assertThat(Path.of(jar)).as("packaged application (mvn package)").exists();
        List<String> command = List.of(javaBinary(), "-Xmx384m", "-XX:+UseSerialGC",
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.console.json.enabled=false",
                "-Dechostream.model.dir=" + modelDir,
                "-Dechostream.model.release-sha256=" + TestClips.pinOf(modelDir),
                "-Dechostream.embedder.transactional-id=embedder-process-it",
                "-Dechostream.embedder.max-batch-size=2",
                "-Dechostream.embedder.intra-op-threads=1",
                "-jar", jar);
        return new Service(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), port, log);
    }

    private static void awaitReady(Service service) throws Exception {
        Process process = service.process();
        Path log = service.log();
        int port = service.port();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            assertThat(process.isAlive()).as("embedder process alive; log:%n%s", Files.readString(log)).isTrue();
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // HTTP not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("embedder not ready within 120 s; log:\n" + Files.readString(log));
    }

    private static String key(Clip clip) {
        return clip.getRef().getSopInstanceUid() + "#" + clip.getRef().getClipIndex();
    }

    private static String key(ClipLatents latents) {
        return latents.getRef().getSopInstanceUid() + "#" + latents.getRef().getClipIndex();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
