package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.echostream.contracts.InstanceRecord;
import org.echostream.contracts.Verdict;
import org.echostream.contracts.kafka.Topics;
import org.echostream.dicom.net.DicomScp;
import org.echostream.dicom.net.DicomTls;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.testing.TestPki;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.ScpHarness;
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
 * DICOM TLS (PS3.15 Annex B) on the SCP against dcmtk's echoscu and storescu with {@code +tls} (Debian builds dcmtk
 * with OpenSSL; its default is the non-downgrading BCP 195 profile), certificates from a throw-away openssl CA.
 */
@ExtendWith(LocalKafkaExtension.class)
class TlsScpIT {

    @TempDir
    static Path dir;
    private static ScpHarness harness;
    private static String bootstrap;
    private static TestPki pki;
    private static TestPki.Identity sender;
    private static DicomScp tls;
    private static DicomScp certified;
    private static final List<String> rejected = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start(LocalKafka kafka) throws Exception {
        bootstrap = kafka.bootstrapServers();
        harness = ScpHarness.start(bootstrap, dir, TestFiles.shortShape());
        pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        TestPki.Identity server = pki.issue(ScpHarness.AE);
        sender = pki.issue("STORESCU");
        ScpListener listener = new ScpListener() {
            @Override
            public void associationRejected(String callingAeTitle, String reason) {
                rejected.add(reason);
            }
        };
        tls = harness.startTls(DicomTls.of(DicomTls.Settings.server(server.certificate(), server.key(), null,
                DicomTls.ClientAuthentication.NONE)), listener);
        certified = harness.startTls(DicomTls.of(DicomTls.Settings.server(server.certificate(), server.key(), pki.caCertificate(),
                DicomTls.ClientAuthentication.REQUIRED)), listener);
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** dcmtk over TLS without a certificate of its own, trusting our test CA for the server's. */
    private static List<String> anonymousTls() {
        return List.of("+tla", "+cf", pki.caCertificate().toString());
    }

    private static List<String> withCertificate(TestPki.Identity id) {
        return List.of("+tls", id.key().toString(), id.certificate().toString(), "+cf", pki.caCertificate().toString());
    }

    private static Dcmtk.Result echoscu(int port, String callingAe, List<String> tlsOptions) {
        List<String> command = new ArrayList<>(List.of("echoscu", "-aec", ScpHarness.AE, "-aet", callingAe));
        command.addAll(tlsOptions);
        command.add("127.0.0.1");
        command.add(String.valueOf(port));
        return Dcmtk.run(command);
    }

    @Test
    void echoscu_and_storescu_over_tls_succeed_and_kafka_holds_the_instance() throws Exception {
        Dcmtk.Result echo = echoscu(tls.port(), "ECHOSCU", anonymousTls());
        assertThat(echo.exitCode()).as(echo.output()).isZero();

        Path cine = Peers.withNewUids(TestFiles.ECHO_CINE, dir);
        String sop = Peers.sopInstanceUid(cine);
        List<String> options = new ArrayList<>(anonymousTls());
        options.add("-xr"); // propose RLE Lossless, the file's own syntax, as storescu does not convert it
        Dcmtk.Result store = Peers.storescu(tls.port(), options, List.of(cine));
        assertThat(store.exitCode()).as(store.output()).isZero();
        var instances = TopicReader.<InstanceRecord>read(bootstrap, Topics.INSTANCES, r -> sop.equals(r.key()));
        assertThat(instances).singleElement().satisfies(r -> {
            assertThat(r.value().getVerdict()).isEqualTo(Verdict.CLIPS);
            assertThat(r.value().getSourceKind()).isEqualTo("CSTORE");
            assertThat(r.value().getSource()).isEqualTo("STORESCU");
        });
    }

    @Test
    void a_plain_client_on_the_tls_port_fails_cleanly_and_the_port_serves_on() throws Exception {
        Dcmtk.Result plain = echoscu(tls.port(), "PLAIN", List.of());
        assertThat(plain.exitCode()).as(plain.output()).isNotZero();
        waitFor(() -> rejected.contains("TLS_HANDSHAKE_FAILED"));
        Dcmtk.Result again = echoscu(tls.port(), "ECHOSCU", anonymousTls());
        assertThat(again.exitCode()).as(again.output()).isZero();
        Dcmtk.Result plainPort = echoscu(harness.port(), "PLAIN", List.of());
        assertThat(plainPort.exitCode()).as("the plain port is untouched: " + plainPort.output()).isZero();
    }

    @Test
    void with_client_authentication_only_the_holder_of_the_calling_ae_certificate_gets_in() throws Exception {
        Dcmtk.Result holder = echoscu(certified.port(), "STORESCU", withCertificate(sender));
        assertThat(holder.exitCode()).as(holder.output()).isZero();

        Dcmtk.Result impostor = echoscu(certified.port(), "MODALITY2", withCertificate(sender));
        assertThat(impostor.exitCode()).isNotZero();
        assertThat(impostor.output()).contains("Calling AE Title Not Recognized");

        Dcmtk.Result anonymous = echoscu(certified.port(), "STORESCU", anonymousTls());
        assertThat(anonymous.exitCode()).as(anonymous.output()).isNotZero();

        TestPki.Identity self = pki.selfSigned("STORESCU");
        Dcmtk.Result untrusted = echoscu(certified.port(), "STORESCU", withCertificate(self));
        assertThat(untrusted.exitCode()).as(untrusted.output()).isNotZero();
        waitFor(() -> rejected.contains("CALLING_AE_NOT_CERTIFIED"));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20); // the SCP records a refusal on its association thread
        }
        assertThat(condition.getAsBoolean()).as("the SCP recorded the refusal, got " + rejected).isTrue();
    }
}
