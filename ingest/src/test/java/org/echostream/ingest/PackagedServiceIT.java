package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobState;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.kafka.Topics;
import org.echostream.dicom.net.testing.TestPki;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.PackagedIngest;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application, run as bin/echostream runs it, against the real broker with the short-clip test
 * model: the real echo cine sent by storescu comes out as clips on Kafka; batch jobs run from the
 * job-commands topic; a poison command is dead-lettered; the {@code ingest} and {@code inspect} commands work.
 */
@ExtendWith(LocalKafkaExtension.class)
class PackagedServiceIT {

    private static final Map<String, String> TEST_MODEL = Map.of("echostream.model.dir", TestFiles.resource("model-short").toString(),
            "echostream.ingest.import-files-per-second", "0");

    @TempDir
    static Path dir;
    private static PackagedIngest service;
    private static TestPki pki;
    private static int tlsPort;
    private static String bootstrap;

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        Map<String, String> props = new java.util.HashMap<>(TEST_MODEL);
        props.put("echostream.jobs.allowed-roots", dir.toString());
        props.put("echostream.jobs.group-id", "ingest-jobs-" + UUID.randomUUID());
        // the DICOM TLS port as the manifests turn it on, with certificates from a throw-away openssl CA
        pki = TestPki.create(java.nio.file.Files.createDirectories(dir.resolve("pki")));
        TestPki.Identity server = pki.issue("ECHOSTREAM");
        tlsPort = Peers.freePort();
        props.put("echostream.scp.tls.enabled", "true");
        props.put("echostream.scp.tls.port", String.valueOf(tlsPort));
        props.put("echostream.scp.tls.certificate-file", server.certificate().toString());
        props.put("echostream.scp.tls.key-file", server.key().toString());
        service = PackagedIngest.serve(bootstrap, dir, props);
    }

    @Test
    void the_dicom_tls_port_beside_the_plain_one_answers_echoscu_over_tls_and_refuses_plain_dicom() {
        Dcmtk.Result tls = Dcmtk.run(List.of("echoscu", "-aec", "ECHOSTREAM", "+tla", "+cf", pki.caCertificate().toString(), "127.0.0.1",
                String.valueOf(tlsPort)));
        assertThat(tls.exitCode()).as(tls.output()).isZero();
        Dcmtk.Result plain = Dcmtk.run(List.of("echoscu", "-aec", "ECHOSTREAM", "127.0.0.1", String.valueOf(tlsPort)));
        assertThat(plain.exitCode()).as("plain DICOM on the TLS port: " + plain.output()).isNotZero();
        Dcmtk.Result plainPort = Dcmtk.run(List.of("echoscu", "-aec", "ECHOSTREAM", "127.0.0.1", String.valueOf(service.scpPort)));
        assertThat(plainPort.exitCode()).as(plainPort.output()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    void the_real_echo_cine_sent_by_storescu_becomes_clips_on_kafka() throws Exception {
        Path echo = Peers.withNewUids(TestFiles.ECHO_CINE, dir);
        String sop = Peers.sopInstanceUid(echo);
        Dcmtk.Result sent = Peers.storescu(service.scpPort, List.of("-xr"), List.of(echo));
        assertThat(sent.exitCode()).as(sent.output()).isZero();

        var instance = TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> sop.equals(r.key()));
        assertThat(instance).hasSize(1);
        InstanceRecord record = instance.get(0).value();
        assertThat(record.getVerdict()).isEqualTo(Verdict.CLIPS);
        assertThat(record.getFrames()).isEqualTo(10);
        assertThat(record.getFrameTimeSource()).isEqualTo("FrameTime");
        assertThat(record.getModelName()).isEqualTo("test-echojepa-short");
        assertThat(record.getCrop().getRegionSource()).isEqualTo(org.echostream.contracts.RegionSource.DETECTED);
        var clips = TopicReader.<Clip>read(bootstrap, Topics.CLIPS, r -> r.key().equals(record.getSeriesInstanceUid()));
        assertThat(clips).hasSize(2);
        assertThat(clips).allSatisfy(c -> {
            assertThat(c.value().getFrames()).isEqualTo(4);
            assertThat(c.value().getPixels().remaining()).isEqualTo(4 * 64 * 64);
            assertThat(c.value().getPreprocessingVersion()).isEqualTo("prep-1");
            assertThat(c.value().getSpoolUri()).isEqualTo(record.getSpoolUri());
        });
        assertThat(TopicReader.<StudyRecord>read(bootstrap, Topics.STUDIES, r -> r.key().equals(record.getStudyInstanceUid()))).hasSize(1);
        assertThat(Path.of(URI.create(record.getSpoolUri()))).exists();

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.httpPort + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("echostream_ingest_instances_total{reason=\"none\",source_kind=\"CSTORE\",verdict=\"CLIPS\"}")
                .contains("echostream_ingest_scp_responses_total{command=\"C-STORE\",status=\"0000\"}");
        assertThat(service.logText()).contains("instance " + sop + " from CSTORE STORESCU: CLIPS, 2 clips").doesNotContain("Anonymized");
    }

    @Test
    void the_package_holds_one_logging_binding_and_none_of_pixelmeds_debian_class_path() throws Exception {
        try (var libs = Files.list(PackagedIngest.JAR.getParent().resolve("lib").resolve("main"))) {
            List<String> names = libs.map(p -> p.getFileName().toString()).toList();
            assertThat(names).anyMatch(n -> n.contains("slf4j-jboss-logmanager"));
            assertThat(names).noneMatch(n -> n.matches(".*(slf4j-jdk14|slf4j-simple|logback|log4j-slf4j|hsqldb|jmdns|vecmath|bcprov).*"));
        }
        assertThat(service.logText()).doesNotContain("SLF4J");
    }

    @Test
    void runs_an_import_job_from_the_api_and_reports_its_progress_and_summary() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("job-" + UUID.randomUUID()));
        Files.write(folder.resolve("loop"), new SyntheticEcho(100, 120, 40, 40, 0.8).toPart10("2.25." + System.nanoTime(), true, true, 66));
        Files.writeString(folder.resolve("notes.txt"), "not dicom");
        String jobId = "job-" + UUID.randomUUID();
        send(jobId, command(jobId, "IMPORT_FOLDER", List.of(folder.toString())));
        JobStatus last = awaitFinalStatus(jobId);
        assertThat(last.getState()).as(String.valueOf(last.getMessage())).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getTotal()).isEqualTo(2L);
        assertThat(last.getIngested()).isEqualTo(1L);
        assertThat(last.getRejected()).isEqualTo(1L);
        assertThat(last.getRejectedByReason()).containsEntry("NOT_DICOM", 1L);
        assertThat(last.getStartedAt()).isNotNull();
    }

    @Test
    void fails_a_job_whose_path_lies_outside_the_allowed_roots() throws Exception {
        String jobId = "job-" + UUID.randomUUID();
        send(jobId, command(jobId, "IMPORT_FOLDER", List.of("/etc")));
        JobStatus last = awaitFinalStatus(jobId);
        assertThat(last.getState()).isEqualTo(JobState.FAILED);
        assertThat(last.getMessage()).contains("outside the allowed import roots");
    }

    @Test
    void a_poison_job_command_goes_to_the_dead_letter_topic_and_the_next_one_runs() throws Exception {
        String poisonKey = "poison-" + UUID.randomUUID();
        send(poisonKey, "not an avro record".getBytes(StandardCharsets.UTF_8));
        String jobId = "job-" + UUID.randomUUID();
        send(jobId, command(jobId, "BACKFILL", List.of()));
        JobStatus after = awaitFinalStatus(jobId);
        assertThat(after.getState()).isEqualTo(JobState.FAILED);
        assertThat(after.getMessage()).contains("backfill refused").contains("node is missing");
        var letters = TopicReader.<DeadLetter>read(bootstrap, Topics.DLQ_INGEST, r -> poisonKey.equals(r.key()));
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).value().getReasonCode()).isEqualTo("NOT_SINGLE_OBJECT_ENCODED");
        assertThat(letters.get(0).value().getSourceTopic()).isEqualTo(Topics.JOB_COMMANDS.name());
    }

    @Test
    void the_ingest_command_imports_resumably_and_prints_a_summary() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("cli-" + UUID.randomUUID()));
        Files.copy(Peers.withNewUids(TestFiles.ECHO_CINE, dir), folder.resolve("echo"));
        Files.copy(TestFiles.PYDICOM.resolve("MR_truncated.dcm"), folder.resolve("broken.dcm"));
        Dcmtk.Result[] first = PackagedIngest.run(bootstrap, dir, TEST_MODEL, List.of("ingest", folder.toString()));
        assertThat(first[0].exitCode()).as(first[1].output()).isZero();
        assertThat(first[0].output()).contains("SUCCEEDED").contains("ingested    1 (1 cut into clips, 0 not scored)")
                .contains("rejected    1").contains("TRUNCATED_PIXEL_DATA");
        assertThat(first[1].output()).contains("2/2 files").contains("files/s");

        Dcmtk.Result[] again = PackagedIngest.run(bootstrap, dir, TEST_MODEL, List.of("ingest", folder.toString()));
        assertThat(again[0].output()).contains("skipped     1 (already ingested)");
    }

    @Test
    void the_inspect_command_prints_one_json_line_per_file_without_kafka() throws Exception {
        Dcmtk.Result[] result = PackagedIngest.run("127.0.0.1:1", dir, TEST_MODEL, List.of("inspect", TestFiles.SAMPLES.toString()));
        assertThat(result[0].exitCode()).as(result[1].output()).isZero();
        List<String> lines = result[0].output().lines().toList();
        assertThat(lines).hasSize(TestFiles.list(TestFiles.SAMPLES).size());
        ObjectMapper json = new ObjectMapper();
        JsonNode echo = null;
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            assertThat(node.get("verdict").asText()).isIn("clips", "not-scored", "rejected");
            if (node.get("file").asText().endsWith("US-PAL-8-10x-echo.dcm")) {
                echo = node;
            }
        }
        assertThat(echo).isNotNull();
        assertThat(echo.get("verdict").asText()).isEqualTo("clips");
        assertThat(echo.get("frames").asInt()).isEqualTo(10);
        assertThat(echo.get("frameTimeMillis").asDouble()).isEqualTo(76.0);
        assertThat(echo.get("region").get("source").asText()).isEqualTo("DETECTED");
        assertThat(echo.get("transferSyntax").asText()).isEqualTo("1.2.840.10008.1.2.5");
    }

    private static byte[] command(String jobId, String kind, List<String> paths) {
        return Topics.JOB_COMMANDS.valueSerde().serializer().serialize(Topics.JOB_COMMANDS.name(),
                new JobCommand(jobId, kind, paths, Map.of(), "tester", Instant.now()));
    }

    private static JobStatus awaitFinalStatus(String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            var statuses = TopicReader.<JobStatus>read(bootstrap, Topics.JOB_STATUS, r -> jobId.equals(r.key()));
            if (!statuses.isEmpty()) {
                JobStatus last = statuses.get(statuses.size() - 1).value();
                if (last.getState() != JobState.RUNNING && last.getState() != JobState.QUEUED) {
                    return last;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("job " + jobId + " did not finish in 90 s");
    }

    private static void send(String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.JOB_COMMANDS.name(), key, value)).get(30, TimeUnit.SECONDS);
        }
    }
}
