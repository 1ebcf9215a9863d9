package org.echostream.findings.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.echostream.dicom.net.DicomTls;
import org.echostream.dicom.net.testing.TestPki;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.Findings;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.Orthanc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our C-STORE SCU against a real Orthanc: what it answers when the store works, when it refuses us, and when nobody listens. */
class DimseTransportIT {

    @TempDir
    Path dir;

    private static List<EncodedDocument> documents(String study) {
        EchoStudy echo = new EchoStudy(study);
        StudyBook book = echo.into(new StudyBook(), EchoStudy.T0);
        var result = ((Assessment.Ready) book.assess(study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(1))).result();
        Findings f = new FindingsBuilder(new DocumentSettings(9901, 9902, new Equipment("e", "m", "1", "e", "2.25.7"))).build(result, Optional.empty());
        DocumentEncoder encoder = new DocumentEncoder();
        List<EncodedDocument> docs = new ArrayList<>(List.of(encoder.encode(f.report())));
        f.keyImages().ifPresent(k -> docs.add(encoder.encode(k)));
        return docs;
    }

    private static DimseTransport scu(int port, String calledAe) {
        return new DimseTransport(new DimseTransport.Settings("127.0.0.1", port, calledAe, "ECHOSTREAM", Duration.ofSeconds(5),
                Duration.ofSeconds(30), 16384));
    }

    @Test
    void stores_both_documents_in_one_association_in_fragments_and_orthanc_holds_them() throws Exception {
        String study = "2.25." + Math.abs(System.nanoTime()) + "5";
        List<EncodedDocument> docs = documents(study);
        assertThat(docs.get(0).part10().length).as("the SR is larger than one PDU").isGreaterThan(2 * 4096);
        // Orthanc's smallest PDU: each document travels in several P-DATA fragments
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"), "\"MaximumPduLength\": 4096,")) {
            SendOutcome outcome = scu(orthanc.dicomPort(), Orthanc.AE_TITLE).send(study, docs);

            assertThat(outcome).isInstanceOf(SendOutcome.Stored.class);
            assertThat(orthanc.sopInstanceUids(study)).containsExactlyInAnyOrder(docs.get(0).sopInstanceUid(), docs.get(1).sopInstanceUid());
        }
    }

    @Test
    void a_rejected_association_is_refused_for_good_with_the_reason() throws Exception {
        String study = "2.25." + Math.abs(System.nanoTime()) + "6";
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"), "\"DicomCheckCalledAet\": true,")) {
            SendOutcome outcome = scu(orthanc.dicomPort(), "NOT-ORTHANC").send(study, documents(study));

            assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Refused.class, r -> {
                assertThat(r.reasonCode()).isEqualTo("ASSOCIATION_REJECTED");
                assertThat(r.detail()).contains("NOT-ORTHANC@127.0.0.1:" + orthanc.dicomPort()).contains("rejected the association");
            });
            assertThat(orthanc.sopInstanceUids(study)).isEmpty();
        }
    }

    @Test
    void nobody_listening_is_a_transient_failure() throws Exception {
        String study = "2.25." + Math.abs(System.nanoTime()) + "7";

        SendOutcome outcome = scu(Orthanc.freePort(), Orthanc.AE_TITLE).send(study, documents(study));

        assertThat(outcome).isInstanceOfSatisfying(SendOutcome.Transient.class, t -> assertThat(t.reasonCode()).isEqualTo("CONNECTION_FAILED"));
    }

    @Test
    void stores_over_dicom_tls_to_an_orthanc_that_speaks_only_tls_and_requires_our_certificate() throws Exception {
        String study = "2.25." + Math.abs(System.nanoTime()) + "8";
        List<EncodedDocument> docs = documents(study);
        TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
        TestPki.Identity orthancId = pki.issue(Orthanc.AE_TITLE);
        TestPki.Identity ours = pki.issue("ECHOSTREAM");
        String tls = """
                "DicomTlsEnabled": true,
                "DicomTlsCertificate": "%s",
                "DicomTlsPrivateKey": "%s",
                "DicomTlsTrustedCertificates": "%s",
                "DicomTlsRemoteCertificateRequired": true,
                """.formatted(orthancId.certificate(), orthancId.key(), pki.caCertificate());
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"), tls)) {
            DicomTls client = DicomTls.of(DicomTls.Settings.client(pki.caCertificate(), ours.certificate(), ours.key()));
            SendOutcome outcome = scu(orthanc.dicomPort(), Orthanc.AE_TITLE, client).send(study, docs);
            assertThat(outcome).as(String.valueOf(outcome)).isInstanceOf(SendOutcome.Stored.class);
            assertThat(orthanc.sopInstanceUids(study)).containsExactlyInAnyOrder(docs.get(0).sopInstanceUid(), docs.get(1).sopInstanceUid());

            SendOutcome plain = scu(orthanc.dicomPort(), Orthanc.AE_TITLE).send(study, docs);
            assertThat(plain).as("plain DICOM to a TLS port").isInstanceOf(SendOutcome.Transient.class);

            TestPki stranger = TestPki.create(Files.createDirectories(dir.resolve("stranger")));
            DicomTls distrusting = DicomTls.of(DicomTls.Settings.client(stranger.caCertificate(), ours.certificate(), ours.key()));
            SendOutcome untrusted = scu(orthanc.dicomPort(), Orthanc.AE_TITLE, distrusting).send(study, docs);
            assertThat(untrusted).isInstanceOfSatisfying(SendOutcome.Refused.class, r -> {
                assertThat(r.reasonCode()).isEqualTo("TLS_HANDSHAKE_FAILED");
                assertThat(r.detail()).contains("check the trusted CA");
            });
        }
    }

    private static DimseTransport scu(int port, String calledAe, DicomTls tls) {
        return new DimseTransport(new DimseTransport.Settings("127.0.0.1", port, calledAe, "ECHOSTREAM", Duration.ofSeconds(5),
                Duration.ofSeconds(30), 16384, tls.sockets()));
    }
}
