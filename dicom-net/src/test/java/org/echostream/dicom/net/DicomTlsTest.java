package org.echostream.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.echostream.dicom.net.testing.MemoryStore;
import org.echostream.dicom.net.testing.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DICOM TLS between dicom-net's own SCP and SCU, with certificates from a real openssl CA. */
class DicomTlsTest {

    private static final String AE = "DICOMNET";
    private static final String US = Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE.value();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static TestPki.Identity server;
    private static TestPki.Identity sender;

    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private final MemoryStore handler = new MemoryStore();
    private DicomScp scp;

    @BeforeAll
    static void certificates() throws IOException {
        pki = TestPki.create(dir);
        server = pki.issue(AE);
        sender = pki.issue("SENDER");
    }

    private DicomScp start(DicomTls.ClientAuthentication clientAuthentication) throws IOException {
        ScpLimits limits = new ScpLimits(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMinutes(1), 4, 8, 8);
        ScpSettings settings = new ScpSettings(AE, "127.0.0.1", 0, Set.of(), 8, 65536, Duration.ofSeconds(10), 1 << 20, limits, Set.of(US),
                Set.of(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value()));
        DicomTls tls = DicomTls.of(DicomTls.Settings.server(server.certificate(), server.key(), pki.caCertificate(), clientAuthentication));
        scp = new DicomScp(settings, tls, handler, new ScpListener() {
            @Override
            public void associationRejected(String callingAeTitle, String reason) {
                rejected.add(reason);
            }
        }).start();
        return scp;
    }

    private ScuAssociation open(String callingAe, DicomTls tls) throws IOException {
        List<ScuAssociation.Proposal> proposals = List.of(
                new ScuAssociation.Proposal(Uid.VERIFICATION.value(), List.of(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value()), false),
                new ScuAssociation.Proposal(US, List.of(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value()), false));
        return ScuAssociation.open(new ScuAssociation.Peer("127.0.0.1", scp.port(), AE, callingAe), proposals, TIMEOUT, TIMEOUT, 65536,
                tls == null ? javax.net.SocketFactory.getDefault() : tls.sockets());
    }

    @AfterEach
    void stop() {
        if (scp != null) {
            scp.close();
        }
    }

    @Test
    void echoes_and_stores_over_tls_with_a_bcp195_protocol() throws Exception {
        start(DicomTls.ClientAuthentication.NONE);
        DicomTls client = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), null, null));
        try (ScuAssociation a = open("SENDER", client)) {
            assertThat(a.echo().status()).isZero();
            assertThat(a.store(a.contextFor(US), "1.2.3", new byte[100_000]).status()).isZero();
        }
        assertThat(handler.stored).singleElement().satisfies(b -> assertThat(b.length).isGreaterThan(100_000));
        try (SSLSocket s = (SSLSocket) client.sockets().createSocket("127.0.0.1", scp.port())) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isIn(DicomTls.PROTOCOLS);
            assertThat(s.getSession().getCipherSuite()).isIn(DicomTls.CIPHER_SUITES);
        }
    }

    @Test
    void a_plain_peer_on_the_tls_port_is_refused_by_the_handshake_and_the_port_serves_on() throws Exception {
        start(DicomTls.ClientAuthentication.NONE);
        assertThatThrownBy(() -> open("PLAIN", null)).isInstanceOf(IOException.class);
        waitFor(() -> rejected.contains("TLS_HANDSHAKE_FAILED"));
        DicomTls client = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), null, null));
        try (ScuAssociation a = open("SENDER", client)) {
            assertThat(a.echo().status()).isZero();
        }
    }

    @Test
    void an_scu_refuses_a_server_certificate_its_ca_did_not_sign() throws Exception {
        start(DicomTls.ClientAuthentication.NONE);
        TestPki other = TestPki.create(Files.createDirectories(dir.resolve("other")));
        DicomTls client = DicomTls.of(DicomTls.Settings.client(other.caCertificate(), null, null));
        assertThatThrownBy(() -> open("SENDER", client)).isInstanceOf(SSLException.class);
    }

    @Test
    void with_client_authentication_the_certificate_must_name_the_calling_ae() throws Exception {
        start(DicomTls.ClientAuthentication.REQUIRED);
        DicomTls anonymous = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), null, null));
        assertThatThrownBy(() -> {
            try (ScuAssociation a = open("SENDER", anonymous)) {
                a.echo(); // TLS 1.3 reports a missing client certificate only at the first read
            }
        }).isInstanceOf(IOException.class);
        DicomTls certified = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), sender.certificate(), pki.pkcs1(sender.key())));
        try (ScuAssociation a = open("SENDER", certified)) {
            assertThat(a.echo().status()).isZero();
        }
        assertThatThrownBy(() -> open("IMPOSTOR", certified)).isInstanceOfSatisfying(ScuAssociation.RejectedException.class, e -> {
            assertThat(e.permanent()).isTrue();
            assertThat(e.reasonText()).isEqualTo("calling AE title not recognised");
        });
        TestPki.Identity self = pki.selfSigned("SENDER");
        DicomTls untrusted = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), self.certificate(), self.key()));
        assertThatThrownBy(() -> {
            try (ScuAssociation a = open("SENDER", untrusted)) {
                a.echo();
            }
        }).isInstanceOf(IOException.class);
        waitFor(() -> rejected.contains("CALLING_AE_NOT_CERTIFIED") && rejected.contains("TLS_HANDSHAKE_FAILED"));
    }

    @Test
    void settings_refuse_what_bcp195_forbids_and_files_are_named_when_wrong() {
        assertThatThrownBy(() -> new DicomTls.Settings(null, null, null, List.of("TLSv1.1"), DicomTls.CIPHER_SUITES,
                DicomTls.ClientAuthentication.NONE, true)).hasMessageContaining("TLSv1.1 is not allowed");
        assertThatThrownBy(() -> new DicomTls.Settings(null, null, null, DicomTls.PROTOCOLS, List.of("TLS_RSA_WITH_AES_128_CBC_SHA"),
                DicomTls.ClientAuthentication.NONE, true)).hasMessageContaining("TLS_RSA_WITH_AES_128_CBC_SHA is not allowed");
        Path missing = dir.resolve("missing.crt");
        assertThatThrownBy(() -> DicomTls.of(DicomTls.Settings.server(missing, server.key(), null, DicomTls.ClientAuthentication.NONE)))
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20); // the SCP records a refusal on its association thread
        }
        assertThat(condition.getAsBoolean()).as("the SCP recorded the refusal").isTrue();
    }
}
