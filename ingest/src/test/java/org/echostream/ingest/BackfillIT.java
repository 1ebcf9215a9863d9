package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.JobCommand;
import org.echostream.contracts.JobState;
import org.echostream.contracts.JobStatus;
import org.echostream.contracts.StudyState;
import org.echostream.contracts.StudyStatus;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.contracts.kafka.Topics;
import org.echostream.dicom.net.testing.TestPki;
import org.echostream.ingest.testing.OrthancPacs;
import org.echostream.ingest.testing.PackagedIngest;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * BACKFILL jobs on the packaged service against a real Orthanc playing the hospital PACS: C-FIND then C-MOVE
 * to our SCP, QIDO-RS then WADO-RS with HTTP Basic credentials; Kafka ends up with exactly the matching
 * instances, once each, and a study status that says the study is complete.
 */
@ExtendWith(LocalKafkaExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackfillIT {

    @TempDir
    static Path dir;
    private static String bootstrap;
    private static OrthancPacs orthanc;
    /** A second PACS whose DICOM port speaks only TLS and wants our client certificate. */
    private static OrthancPacs tlsOrthanc;
    private static PackagedIngest service;
    /** SOP Instance UIDs by study, as Orthanc holds them. */
    private static final Map<String, List<String>> STUDIES = new HashMap<>();
    private static String january1;
    private static String january2;
    private static String older;
    private static final Map<String, String> props = new HashMap<>();

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        orthanc = OrthancPacs.start(dir.resolve("orthanc"));
        january1 = study("PAT-A", "20240110", 3);
        january2 = study("PAT-B", "20240120", 2);
        older = study("PAT-C", "20230305", 2);

        props.put("echostream.model.dir", TestFiles.resource("model-short").toString());
        props.put("echostream.jobs.group-id", "ingest-jobs-" + UUID.randomUUID());
        props.put("echostream.pacs.nodes.hospital.ae-title", OrthancPacs.AE);
        props.put("echostream.pacs.nodes.hospital.host", "127.0.0.1");
        props.put("echostream.pacs.nodes.hospital.port", String.valueOf(orthanc.dicomPort));
        props.put("echostream.pacs.nodes.hospital.retrieve", "c-move");
        props.put("echostream.pacs.nodes.hospital-web.dicomweb-url", orthanc.dicomWebUrl());
        props.put("echostream.pacs.nodes.hospital-web.retrieve", "wado-rs");
        props.put("echostream.pacs.nodes.hospital-web.username", OrthancPacs.USER);
        Path secret = dir.resolve("pacs-password");
        Files.writeString(secret, OrthancPacs.PASSWORD + "\n");
        props.put("echostream.pacs.nodes.hospital-web.password-file", secret.toString());
        props.put("echostream.pacs.retry-backoff", "200ms");
        props.put("echostream.pacs.nodes.hospital-get.ae-title", OrthancPacs.AE);
        props.put("echostream.pacs.nodes.hospital-get.host", "127.0.0.1");
        props.put("echostream.pacs.nodes.hospital-get.port", String.valueOf(orthanc.dicomPort));
        props.put("echostream.pacs.nodes.hospital-get.retrieve", "c-get");
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        TestPki.Identity pacsId = pki.issue(OrthancPacs.AE);
        TestPki.Identity ours = pki.issue("ECHOSTREAM");
        tlsOrthanc = OrthancPacs.start(dir.resolve("orthanc-tls"), """
                "DicomTlsEnabled": true,
                "DicomTlsCertificate": "%s",
                "DicomTlsPrivateKey": "%s",
                "DicomTlsTrustedCertificates": "%s",
                "DicomTlsRemoteCertificateRequired": true,
                """.formatted(pacsId.certificate(), pacsId.key(), pki.caCertificate()));
        props.put("echostream.pacs.nodes.hospital-tls.ae-title", OrthancPacs.AE);
        props.put("echostream.pacs.nodes.hospital-tls.host", "127.0.0.1");
        props.put("echostream.pacs.nodes.hospital-tls.port", String.valueOf(tlsOrthanc.dicomPort));
        props.put("echostream.pacs.nodes.hospital-tls.retrieve", "c-get");
        props.put("echostream.pacs.nodes.hospital-tls.tls-trust-file", pki.caCertificate().toString());
        props.put("echostream.pacs.nodes.hospital-tls.tls-certificate-file", ours.certificate().toString());
        props.put("echostream.pacs.nodes.hospital-tls.tls-key-file", ours.key().toString());
        // the same PACS under a cap: one association, one instance a second, one instance per C-MOVE
        props.put("echostream.pacs.nodes.hospital-capped.ae-title", OrthancPacs.AE);
        props.put("echostream.pacs.nodes.hospital-capped.host", "127.0.0.1");
        props.put("echostream.pacs.nodes.hospital-capped.port", String.valueOf(orthanc.dicomPort));
        props.put("echostream.pacs.nodes.hospital-capped.max-associations", "1");
        props.put("echostream.pacs.nodes.hospital-capped.instances-per-second", "1");
        service = PackagedIngest.serve(bootstrap, dir, props);
        orthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort);
        tlsOrthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort); // Orthanc answers C-FIND and C-GET only to AEs it knows
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (orthanc != null) {
            orthanc.close();
        }
        if (tlsOrthanc != null) {
            tlsOrthanc.close();
        }
    }

    @Test
    @Order(1)
    void c_find_and_c_move_pull_exactly_the_studies_in_the_date_range() throws Exception {
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital", BackfillParameters.STUDY_DATE_FROM, "2024-01-01",
                BackfillParameters.STUDY_DATE_TO, "2024-01-31", BackfillParameters.MODALITY, "US"));

        assertThat(last.getState()).as(last.getMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getStudiesTotal()).isEqualTo(2L);
        assertThat(last.getStudiesDone()).isEqualTo(2L);
        assertThat(last.getIngested()).isEqualTo(5);
        assertThat(last.getFailed()).isZero();
        assertThat(last.getBytes()).isPositive();
        assertThat(recordsOf(january1)).hasSize(3);
        assertThat(recordsOf(january2)).hasSize(2);
        assertThat(recordsOf(older)).isEmpty();
        assertThat(records(Set.copyOf(STUDIES.get(january1)))).allSatisfy(r -> assertThat(r.getSourceKind()).isEqualTo("BACKFILL"));

        StudyStatus status = awaitStudyStatus(january1, StudyState.FINAL);
        assertThat(status.getInstancesReceived()).isEqualTo(3);
        assertThat(status.getInstancesExpected()).isEqualTo(3);
        assertThat(status.getFinalReason()).isEqualTo("ANNOUNCED_COUNT_REACHED");
    }

    @Test
    @Order(2)
    void running_the_same_query_again_skips_every_instance_already_ingested() throws Exception {
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital", BackfillParameters.STUDY_DATE_FROM, "2024-01-01",
                BackfillParameters.STUDY_DATE_TO, "2024-01-31"));

        assertThat(last.getState()).as(last.getMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getSkipped()).isEqualTo(5);
        assertThat(last.getIngested()).isZero();
        assertThat(recordsOf(january1)).hasSize(3);
        assertThat(recordsOf(january2)).hasSize(2);
    }

    @Test
    @Order(3)
    void qido_rs_and_wado_rs_pull_a_patients_study_with_credentials_from_a_file() throws Exception {
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital-web", BackfillParameters.PATIENT_IDS, "PAT-C"));

        assertThat(last.getState()).as(last.getMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getStudiesTotal()).isEqualTo(1L);
        assertThat(last.getIngested()).isEqualTo(2);
        assertThat(recordsOf(older)).hasSize(2);
        assertThat(service.logText()).doesNotContain(OrthancPacs.PASSWORD).doesNotContain("PAT-C");
    }

    @Test
    @Order(3)
    void c_get_pulls_a_study_on_our_own_association_keeping_the_stored_transfer_syntax() throws Exception {
        String study = study("PAT-G", "20200202", 2, true);
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital-get", BackfillParameters.PATIENT_IDS, "PAT-G"));

        assertThat(last.getState()).as(last.getMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getIngested()).isEqualTo(2);
        List<InstanceRecord> records = recordsOf(study);
        assertThat(records).hasSize(2);
        assertThat(records).allSatisfy(r -> assertThat(r.getTransferSyntaxUid()).isEqualTo("1.2.840.10008.1.2.5"));
    }

    @Test
    @Order(3)
    void c_find_and_c_get_over_dicom_tls_pull_a_study_from_a_pacs_that_requires_our_certificate() throws Exception {
        String study = study(tlsOrthanc, "PAT-T", "20200303", 2, false);
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital-tls", BackfillParameters.PATIENT_IDS, "PAT-T"));

        assertThat(last.getState()).as(last.getMessage() + "\n" + tlsOrthanc.log()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getIngested()).isEqualTo(2);
        assertThat(recordsOf(study)).hasSize(2).allSatisfy(r -> assertThat(r.getSourceKind()).isEqualTo("BACKFILL"));
    }

    @Test
    @Order(4)
    void a_job_naming_an_unknown_node_fails_and_names_the_configured_ones() throws Exception {
        JobStatus last = runJob(Map.of(BackfillParameters.NODE, "elsewhere", BackfillParameters.PATIENT_IDS, "PAT-A"));

        assertThat(last.getState()).isEqualTo(JobState.FAILED);
        assertThat(last.getMessage()).contains("no PACS node 'elsewhere'").contains("hospital").contains("hospital-web");
    }

    @Test
    @Order(5)
    void a_move_destination_the_pacs_does_not_know_ends_in_failed_retrievals_with_dead_letters() throws Exception {
        String study = study("PAT-D", "20220101", 1);
        orthanc.registerModality("echostream", "ECHOSTREAM", Peers.freePort()); // Orthanc now sends to nobody
        try {
            JobStatus last = runJob(Map.of(BackfillParameters.NODE, "hospital", BackfillParameters.PATIENT_IDS, "PAT-D"));
            assertThat(last.getState()).isEqualTo(JobState.FAILED);
            assertThat(last.getFailed()).isEqualTo(1);
            assertThat(recordsOf(study)).isEmpty();
            String sop = STUDIES.get(study).get(0);
            var letters = TopicReader.<org.echostream.contracts.DeadLetter>read(bootstrap, Topics.DLQ_INGEST,
                    r -> sop.equals(r.value().getSopInstanceUid()));
            assertThat(letters).hasSize(1);
            assertThat(letters.get(0).value().getReasonDetail()).contains(sop).contains("hospital");
        } finally {
            orthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort);
        tlsOrthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort); // Orthanc answers C-FIND and C-GET only to AEs it knows
        }
    }

    @Test
    @Order(6)
    void the_backfill_command_pulls_a_study_prints_progress_and_a_summary_and_skips_it_the_second_time() throws Exception {
        String study = study("PAT-E", "20210615", 2);
        Map<String, String> cli = new HashMap<>(props);
        cli.remove("echostream.jobs.group-id");
        List<String> args = List.of("backfill", "--node", "hospital-web", "--patient-id", "PAT-E");

        var first = PackagedIngest.run(bootstrap, dir, cli, args);
        assertThat(first[0].exitCode()).as(first[1].output()).isZero();
        assertThat(first[0].output()).contains("SUCCEEDED").contains("studies     1 of 1").contains("ingested    2");
        assertThat(first[1].output()).contains("1/1 studies").contains("MB/s").contains("ETA");
        assertThat(recordsOf(study)).hasSize(2);

        var again = PackagedIngest.run(bootstrap, dir, cli, args);
        assertThat(again[0].exitCode()).as(again[1].output()).isZero();
        assertThat(again[0].output()).contains("skipped     2 (already ingested)");
        assertThat(recordsOf(study)).hasSize(2);
    }

    @Test
    @Order(7)
    void a_job_killed_mid_way_resumes_after_the_restart_without_duplicates_and_honours_the_caps() throws Exception {
        List<String> studies = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            studies.add(study("PAT-F", "2019010" + (i + 1), 2));
        }
        Set<String> sops = studies.stream().flatMap(s -> STUDIES.get(s).stream()).collect(Collectors.toSet());
        String jobId = submit(Map.of(BackfillParameters.NODE, "hospital-capped", BackfillParameters.PATIENT_IDS, "PAT-F"));
        JobStatus midway = await(jobId, s -> s.getStudiesDone() != null && s.getStudiesDone() >= 2 && s.getCursor() != null, Duration.ofSeconds(120));
        service.kill();
        assertThat(midway.getState()).isEqualTo(JobState.RUNNING);
        assertThat(records(sops).size()).as("killed before the end").isLessThan(12);

        service = PackagedIngest.serve(bootstrap, dir, props);
        orthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort);
        tlsOrthanc.registerModality("echostream", "ECHOSTREAM", service.scpPort); // Orthanc answers C-FIND and C-GET only to AEs it knows
        JobStatus last = await(jobId, s -> s.getState() != JobState.RUNNING && s.getState() != JobState.QUEUED, Duration.ofSeconds(150));

        assertThat(last.getState()).as(last.getMessage()).isEqualTo(JobState.SUCCEEDED);
        assertThat(last.getStudiesDone()).isEqualTo(6L);
        assertThat(last.getIngested() + last.getSkipped()).isEqualTo(12);
        List<InstanceRecord> records = records(sops);
        assertThat(records).hasSize(12);
        assertThat(records.stream().map(InstanceRecord::getSopInstanceUid).collect(Collectors.toSet())).isEqualTo(sops);
        assertThat(service.logText()).contains("resuming after");
        // one instance a second over 12 instances: the limiter made requests wait; one association at a time
        java.util.regex.Matcher throttled = java.util.regex.Pattern.compile("(\\d+) retrieval requests, (\\d+) throttled").matcher(last.getMessage());
        assertThat(throttled.find()).as(last.getMessage()).isTrue();
        assertThat(Long.parseLong(throttled.group(2))).isPositive();
        assertThat(metric("echostream_ingest_scp_associations_peak")).isEqualTo(1.0);
    }

    private static double metric(String name) throws Exception {
        String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + service.httpPort + "/q/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /** A study of synthetic echo loops in Orthanc; returns its Study Instance UID. */
    private static String study(String patientId, String date, int instances) throws Exception {
        return study(patientId, date, instances, false);
    }

    /** @param rle RLE Lossless instead of Explicit VR Little Endian */
    private static String study(String patientId, String date, int instances, boolean rle) throws Exception {
        return study(orthanc, patientId, date, instances, rle);
    }

    private static String study(OrthancPacs pacs, String patientId, String date, int instances, boolean rle) throws Exception {
        String studyUid = "2.25." + new java.math.BigInteger(UUID.randomUUID().toString().replace("-", ""), 16);
        String seriesUid = studyUid + ".1";
        List<String> sops = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            String sop = seriesUid + "." + (i + 1);
            Path file = dir.resolve(sop + ".dcm");
            Files.write(file, new SyntheticEcho(100, 120, 40, 40, 0.8).toPart10(sop, true, rle, 66));
            assertThat(Peers.run(List.of("dcmodify", "-nb", "-i", "(0020,000D)=" + studyUid, "-i", "(0020,000E)=" + seriesUid,
                    "-i", "(0010,0020)=" + patientId, "-i", "(0008,0020)=" + date, "-i", "(0008,0060)=US", file.toString()))).isZero();
            pacs.upload(file);
            sops.add(sop);
        }
        STUDIES.put(studyUid, sops);
        return studyUid;
    }

    private static List<InstanceRecord> recordsOf(String study) {
        return records(Set.copyOf(STUDIES.get(study)));
    }

    private static List<InstanceRecord> records(Set<String> sops) {
        return TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> sops.contains(r.key())).stream().map(r -> r.value())
                .collect(Collectors.toList());
    }

    private static JobStatus runJob(Map<String, String> parameters) throws Exception {
        String jobId = submit(parameters);
        return await(jobId, s -> s.getState() != JobState.RUNNING && s.getState() != JobState.QUEUED, Duration.ofSeconds(150));
    }

    private static JobStatus await(String jobId, java.util.function.Predicate<JobStatus> until, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            var statuses = TopicReader.<JobStatus>read(bootstrap, Topics.JOB_STATUS, r -> jobId.equals(r.key()));
            if (!statuses.isEmpty() && until.test(statuses.get(statuses.size() - 1).value())) {
                return statuses.get(statuses.size() - 1).value();
            }
            Thread.sleep(300);
        }
        throw new AssertionError("job " + jobId + " did not get there in " + within + "; service log:\n" + service.logText());
    }

    private static String submit(Map<String, String> parameters) throws Exception {
        String jobId = "backfill-" + UUID.randomUUID();
        byte[] value = Topics.JOB_COMMANDS.valueSerde().serializer().serialize(Topics.JOB_COMMANDS.name(),
                new JobCommand(jobId, BackfillParameters.KIND, List.of(), parameters, "tester", Instant.now()));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>(Topics.JOB_COMMANDS.name(), jobId, value)).get(30, TimeUnit.SECONDS);
        }
        return jobId;
    }

    private static StudyStatus awaitStudyStatus(String study, StudyState state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var statuses = TopicReader.<StudyStatus>read(bootstrap, Topics.STUDY_STATUS, r -> study.equals(r.key()));
            if (!statuses.isEmpty() && statuses.get(statuses.size() - 1).value().getState() == state) {
                return statuses.get(statuses.size() - 1).value();
            }
            Thread.sleep(500);
        }
        throw new AssertionError("study " + study + " is not " + state + " after 30 s");
    }
}
