package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.echostream.contracts.Clip;
import org.echostream.contracts.DeadLetter;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.StudyRecord;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.kafka.Topics;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.ScpHarness;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestScu;
import org.echostream.ingest.testing.TopicReader;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.LocalKafkaExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** dcmtk's storescu and echoscu against the SCP, with the records counted on the real broker. */
@ExtendWith(LocalKafkaExtension.class)
class ScpIT {

    @TempDir
    static Path dir;
    private static ScpHarness harness;
    private static String bootstrap;

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        harness = ScpHarness.start(bootstrap, dir, TestFiles.shortShape());
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @Test
    void answers_c_echo() {
        Dcmtk.Result r = Dcmtk.run(List.of("echoscu", "-aec", ScpHarness.AE, "127.0.0.1", String.valueOf(harness.port())));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void rejects_an_association_addressed_to_another_ae_title() {
        Dcmtk.Result r = Dcmtk.run(List.of("echoscu", "-aec", "SOMEONE_ELSE", "127.0.0.1", String.valueOf(harness.port())));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).contains("Called AE Title Not Recognized");
    }

    @Test
    void stores_plain_jpeg_and_rle_proposals_and_kafka_holds_exactly_their_records() throws Exception {
        Path native8 = dir.resolve("native.dcm");
        Files.write(native8, new SyntheticEcho(120, 160, 60, 40, 0.8).toPart10("2.25.1", true, false, 72));
        Path plain = Peers.withNewUids(native8, dir);
        Path jpeg = dir.resolve("jpeg.dcm");
        Path rle = dir.resolve("rle.dcm");
        assertThat(Dcmtk.run(List.of("dcmcjpeg", "+eb", Peers.withNewUids(native8, dir).toString(), jpeg.toString())).exitCode()).isZero();
        assertThat(Dcmtk.run(List.of("dcmcrle", Peers.withNewUids(native8, dir).toString(), rle.toString())).exitCode()).isZero();
        Path echoCine = Peers.withNewUids(TestFiles.ECHO_CINE, dir);

        assertThat(Peers.storescu(harness.port(), List.of(), List.of(plain)).exitCode()).isZero();
        Dcmtk.Result jpegSent = Peers.storescu(harness.port(), List.of("-xy"), List.of(jpeg));
        assertThat(jpegSent.exitCode()).as(jpegSent.output()).isZero();
        Dcmtk.Result rleSent = Peers.storescu(harness.port(), List.of("-xr"), List.of(rle, echoCine));
        assertThat(rleSent.exitCode()).as(rleSent.output()).isZero();

        Map<String, String> transferSyntaxBySop = new HashMap<>();
        for (Path f : List.of(plain, jpeg, rle, echoCine)) {
            transferSyntaxBySop.put(Peers.sopInstanceUid(f), TestScu.Instance.of(Files.readAllBytes(f)).transferSyntaxUid());
        }
        var instances = TopicReader.read(bootstrap, Topics.INSTANCES, r -> transferSyntaxBySop.containsKey(r.key()));
        assertThat(instances).hasSize(4);
        for (var r : instances) {
            InstanceRecord record = r.value();
            assertThat(record.getVerdict()).as(record.getReasonDetail()).isEqualTo(Verdict.CLIPS);
            assertThat(record.getTransferSyntaxUid()).isEqualTo(transferSyntaxBySop.get(r.key()));
            assertThat(record.getSourceKind()).isEqualTo("CSTORE");
            assertThat(record.getSource()).isEqualTo("STORESCU");
        }
        Set<String> series = instances.stream().map(r -> r.value().getSeriesInstanceUid()).collect(Collectors.toSet());
        var clips = TopicReader.<Clip>read(bootstrap, Topics.CLIPS, r -> series.contains(r.key()));
        assertThat(clips).hasSize(instances.stream().mapToInt(r -> r.value().getClipCount()).sum());
        String echoSop = Peers.sopInstanceUid(echoCine);
        assertThat(clips.stream().filter(c -> c.value().getRef().getSopInstanceUid().equals(echoSop))).hasSize(2);
        Set<String> studies = instances.stream().map(r -> r.value().getStudyInstanceUid()).collect(Collectors.toSet());
        assertThat(TopicReader.<StudyRecord>read(bootstrap, Topics.STUDIES, r -> studies.contains(r.key()))).hasSize(4);
        assertThat(TopicReader.<DeadLetter>read(bootstrap, Topics.DLQ_INGEST,
                r -> r.value() != null && transferSyntaxBySop.containsKey(r.value().getSopInstanceUid()))).isEmpty();
    }

    @Test
    void a_rejected_instance_gets_its_failure_status_and_a_dead_letter_and_the_association_goes_on() throws Exception {
        byte[] whole = new SyntheticEcho(60, 80, 30, 40, 0.8).toPart10("2.25.77001", true, false, 70);
        TestScu.Instance good = TestScu.Instance.of(whole);
        // the same header with the pixel data cut short
        byte[] cut = java.util.Arrays.copyOf(good.dataset(), good.dataset().length - 5000);
        TestScu.Instance truncated = new TestScu.Instance(good.sopClassUid(), "2.25.77002", good.transferSyntaxUid(), cut);
        try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "FUZZER",
                List.of(new TestScu.Proposal(1, Part10Writer.US_MULTIFRAME, Part10Writer.EXPLICIT_LE)))) {
            assertThat(scu.store(1, truncated)).isEqualTo(0xC000);
            assertThat(scu.store(1, good)).isEqualTo(0x0000);
        }
        var letters = TopicReader.<DeadLetter>read(bootstrap, Topics.DLQ_INGEST, r -> r.value() != null && "2.25.77001".equals(r.value().getSopInstanceUid()));
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0).value();
        assertThat(letter.getReasonCode()).isEqualTo("TRUNCATED_PIXEL_DATA");
        assertThat(letter.getSourceKind()).isEqualTo("DICOM_ASSOCIATION");
        assertThat(letter.getCallingAeTitle()).isEqualTo("FUZZER");
        assertThat(letter.getSourceUri()).startsWith("file:");
        assertThat(letter.toString()).doesNotContain("DOE");
        var records = TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> "2.25.77001".equals(r.key()));
        assertThat(records).extracting(r -> r.value().getVerdict()).containsExactly(Verdict.REJECTED, Verdict.CLIPS);
    }

    @Test
    void refuses_transfer_syntaxes_it_cannot_decode_at_negotiation() throws Exception {
        try (TestScu scu = TestScu.associate(harness.port(), ScpHarness.AE, "JPEGLS",
                List.of(new TestScu.Proposal(1, Part10Writer.US_MULTIFRAME, "1.2.840.10008.1.2.4.80")))) {
            assertThat(scu.acceptedResult).isEqualTo(4); // transfer syntaxes not supported
        }
    }

    @Test
    void refuses_calling_ae_titles_outside_the_allow_list() throws Exception {
        try (ScpHarness guarded = new ScpHarness(bootstrap, dir.resolve("guarded"), TestFiles.shortShape(), java.time.Duration.ofSeconds(10), 0,
                Set.of("TRUSTED"))) {
            assertThat(Dcmtk.run(List.of("echoscu", "-aet", "TRUSTED", "-aec", ScpHarness.AE, "127.0.0.1", String.valueOf(guarded.port()))).exitCode())
                    .isZero();
            Dcmtk.Result stranger = Dcmtk.run(List.of("echoscu", "-aet", "STRANGER", "-aec", ScpHarness.AE, "127.0.0.1", String.valueOf(guarded.port())));
            assertThat(stranger.exitCode()).isNotZero();
            assertThat(stranger.output()).contains("Calling AE Title Not Recognized");
        }
    }
}
