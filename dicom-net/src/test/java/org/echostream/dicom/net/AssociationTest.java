package org.echostream.dicom.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.echostream.dicom.net.testing.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The acceptor and the requestor of dicom-net against each other, over real loopback sockets. */
class AssociationTest {

    private static final String AE = "DICOMNET";
    private static final String US = Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE.value();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final MemoryStore handler = new MemoryStore();
    private final List<byte[]> stored = handler.stored;
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private final List<String> aborted = new CopyOnWriteArrayList<>();
    private DicomScp scp;

    private final ScpListener listener = new ScpListener() {
        @Override
        public void associationRejected(String callingAeTitle, String reason) {
            rejected.add(reason);
        }

        @Override
        public void associationAborted(String callingAeTitle, String reason) {
            aborted.add(reason);
        }
    };

    private DicomScp start(int maxPerCallingAe) throws Exception {
        ScpLimits limits = new ScpLimits(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(1), maxPerCallingAe, 8, 8);
        scp = new DicomScp(new ScpSettings(AE, "127.0.0.1", 0, Set.of(), 8, 65536, Duration.ofSeconds(10), 1 << 20, limits, Set.of(US),
                Set.of(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value())), handler, listener).start();
        return scp;
    }

    private ScuAssociation open(String calledAe, String callingAe, List<ScuAssociation.Proposal> proposals) throws Exception {
        return ScuAssociation.open(new ScuAssociation.Peer("127.0.0.1", scp.port(), calledAe, callingAe), proposals, TIMEOUT, TIMEOUT, 65536);
    }

    private static List<ScuAssociation.Proposal> usAndEcho() {
        return List.of(new ScuAssociation.Proposal(Uid.VERIFICATION.value(), List.of(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value()), false),
                new ScuAssociation.Proposal(US, List.of(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value(),
                        TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value()), false));
    }

    @AfterEach
    void stop() {
        if (scp != null) {
            scp.close();
        }
    }

    @Test
    void echoes_then_stores_a_data_set_in_several_pdus_behind_a_part10_header() throws Exception {
        start(4);
        byte[] dataset = new byte[200_000]; // more than three PDUs of 64 KiB
        for (int i = 0; i < dataset.length; i++) {
            dataset[i] = (byte) (i * 31);
        }
        try (ScuAssociation a = open(AE, "SENDER", usAndEcho())) {
            assertThat(a.echo().status()).isZero();
            int ctx = a.contextFor(US);
            assertThat(a.transferSyntaxOf(ctx)).as("the one syntax the SCP takes, though offered second")
                    .isEqualTo(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value());
            ScuAssociation.CommandView rsp = a.store(ctx, "1.2.3.4.5", dataset);
            assertThat(rsp.status()).isZero();
            assertThat(rsp.affectedSopInstanceUid()).isEqualTo("1.2.3.4.5");
        }
        assertThat(stored).hasSize(1);
        byte[] file = stored.get(0);
        assertThat(new String(file, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
        assertThat(Arrays.copyOfRange(file, file.length - dataset.length, file.length)).isEqualTo(dataset);
    }

    @Test
    void a_sop_class_the_scp_does_not_take_gets_no_context_and_the_others_do() throws Exception {
        start(4);
        String sr = Uid.COMPREHENSIVE_SR_STORAGE.value();
        List<ScuAssociation.Proposal> proposals = List.of(
                new ScuAssociation.Proposal(sr, List.of(TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value()), false),
                new ScuAssociation.Proposal(US, List.of(TransferSyntaxUid.JPEG_BASELINE.value()), false),
                new ScuAssociation.Proposal(Uid.VERIFICATION.value(), List.of(TransferSyntaxUid.IMPLICIT_VR_LITTLE_ENDIAN.value()), false));
        try (ScuAssociation a = open(AE, "SENDER", proposals)) {
            assertThat(a.contextFor(sr)).as("abstract syntax not supported").isNegative();
            assertThat(a.contextFor(US)).as("no transfer syntax it takes").isNegative();
            assertThat(a.echo().status()).isZero();
        }
    }

    @Test
    void an_unknown_called_ae_is_rejected_for_good_with_the_standard_reason() throws Exception {
        start(4);
        assertThatThrownBy(() -> open("SOMEONE", "SENDER", usAndEcho())).isInstanceOfSatisfying(ScuAssociation.RejectedException.class, e -> {
            assertThat(e.permanent()).isTrue();
            assertThat(e.source()).isEqualTo(1);
            assertThat(e.reason()).isEqualTo(7);
            assertThat(e.reasonText()).isEqualTo("called AE title not recognised");
        });
        assertThat(rejected).containsExactly("CALLED_AE_UNKNOWN");
    }

    @Test
    void a_calling_ae_over_its_limit_is_rejected_transiently_and_its_first_association_still_works() throws Exception {
        start(1);
        try (ScuAssociation first = open(AE, "GREEDY", usAndEcho())) {
            assertThatThrownBy(() -> open(AE, "GREEDY", usAndEcho())).isInstanceOfSatisfying(ScuAssociation.RejectedException.class, e -> {
                assertThat(e.permanent()).isFalse();
                assertThat(e.reasonText()).isEqualTo("local limit exceeded");
            });
            assertThat(first.echo().status()).isZero();
            try (ScuAssociation other = open(AE, "POLITE", usAndEcho())) {
                assertThat(other.echo().status()).as("another AE is not starved").isZero();
            }
        }
        assertThat(rejected).containsExactly("TOO_MANY_FOR_CALLING_AE");
    }

    @Test
    void a_refused_store_is_answered_with_its_status_and_the_association_goes_on() throws Exception {
        start(4);
        handler.refuseWith(StoreStatus.outOfResources("spool full"));
        try (ScuAssociation a = open(AE, "SENDER", usAndEcho())) {
            ScuAssociation.CommandView rsp = a.store(a.contextFor(US), "1.2.3", new byte[10_000]);
            assertThat(rsp.status()).isEqualTo(0xA700);
            assertThat(rsp.errorComment()).isEqualTo("spool full");
            assertThat(a.echo().status()).isZero();
        }
        assertThat(stored).isEmpty();
    }

    @Test
    void an_empty_presentation_context_item_is_answered_with_an_abort_and_the_scp_serves_on() throws Exception {
        start(4);
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(5000);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes(new byte[] {0, 1, 0, 0});
            body.writeBytes(String.format("%-16s%-16s", AE, "HOSTILE").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(new byte[32]);
            byte[] ctx = Uid.APPLICATION_CONTEXT.value().getBytes(StandardCharsets.US_ASCII);
            body.writeBytes(new byte[] {0x10, 0, 0, (byte) ctx.length});
            body.writeBytes(ctx);
            body.writeBytes(new byte[] {0x20, 0, 0, 0}); // a presentation context item with no header at all
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte(PduType.A_ASSOCIATE_RQ);
            out.writeByte(0);
            out.writeInt(body.size());
            out.write(body.toByteArray());
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(in.readUnsignedByte()).as("A-ABORT").isEqualTo(PduType.A_ABORT);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (aborted.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20); // the SCP records the abort after it closed the socket
        }
        assertThat(aborted).singleElement().asString().startsWith("PROTOCOL: presentation context item of 0 bytes");
        try (ScuAssociation a = open(AE, "SENDER", usAndEcho())) {
            assertThat(a.echo().status()).isZero();
        }
    }
}
