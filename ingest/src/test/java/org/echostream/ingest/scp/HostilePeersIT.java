package org.echostream.ingest.scp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.ingest.testing.TestScu;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.echostream.dicom.net.DicomScp;
import org.echostream.dicom.net.ScpLimits;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.ScpSettings;
import org.echostream.dicom.net.StoreHandler;
import org.echostream.dicom.net.StoreStatus;

/**
 * Peers that connect and say nothing, trickle their A-ASSOCIATE-RQ a byte at a time, associate and then
 * never read, or send malformed items: none of them stops dcmtk's storescu from storing, a limit is
 * answered with an A-ASSOCIATE-RJ naming it, and a malformed request with an A-ABORT.
 */
class HostilePeersIT {

    private static final String AE = "ECHOSTREAM";
    private static final String US_MULTIFRAME = org.echostream.dicom.net.Uid.ULTRASOUND_MULTIFRAME_IMAGE_STORAGE.value();
    private static final String EXPLICIT_LE = org.echostream.dicom.net.TransferSyntaxUid.EXPLICIT_VR_LITTLE_ENDIAN.value();

    @TempDir
    Path dir;

    private final List<Socket> peers = new ArrayList<>();
    private final Set<String> stored = ConcurrentHashMap.newKeySet();
    private final List<String> aborted = new CopyOnWriteArrayList<>();
    private final List<String> rejected = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
    private DicomScp scp;

    private DicomScp start(ScpLimits limits) throws IOException {
        StoreHandler handler = request -> new StoreHandler.Reception() {
            private long bytes;

            @Override
            public void write(byte[] b, int offset, int length) {
                bytes += length;
            }

            @Override
            public StoreStatus complete() {
                stored.add(request.sopInstanceUid());
                return StoreStatus.SUCCESS;
            }

            @Override
            public void close() {
            }
        };
        ScpListener listener = new ScpListener() {
            @Override
            public void associationAborted(String callingAeTitle, String reason) {
                aborted.add(reason);
            }

            @Override
            public void associationRejected(String callingAeTitle, String reason) {
                rejected.add(reason);
            }
        };
        scp = new DicomScp(new ScpSettings(AE, "127.0.0.1", 0, Set.of(), 8, 262144, Duration.ofSeconds(60), 512L << 20, limits,
                IngestContexts.STORAGE_CLASSES, IngestContexts.TRANSFER_SYNTAXES),
                handler, listener).start();
        return scp;
    }

    @AfterEach
    void stop() {
        trickler.shutdownNow();
        peers.forEach(HostilePeersIT::closeQuietly);
        if (scp != null) {
            scp.close();
        }
    }

    @Test
    void storescu_stores_while_64_idle_trickling_and_non_reading_peers_are_connected() throws Exception {
        // the service's defaults: ARTIM 10 s, so every hostile peer below is still connected while storescu runs
        start(TestFiles.SCP_LIMITS);
        byte[] rq = TestScu.associateRq(AE, "HOSTILE", List.of(new TestScu.Proposal(1, US_MULTIFRAME, EXPLICIT_LE)), new byte[0]);
        for (int i = 0; i < 44; i++) {
            peers.add(new Socket("127.0.0.1", scp.port())); // connects, says nothing
        }
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket("127.0.0.1", scp.port());
            peers.add(s);
            OutputStream out = s.getOutputStream();
            int[] next = {0};
            trickler.scheduleWithFixedDelay(() -> { // one byte of its request now and then, never all of it
                try {
                    if (next[0] < rq.length - 1) {
                        out.write(rq[next[0]++]);
                    }
                } catch (IOException e) {
                    // closed by the SCP
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < 4; i++) {
            Socket s = new Socket("127.0.0.1", scp.port()); // associates, then never reads nor sends again
            s.setReceiveBufferSize(1024);
            peers.add(s);
            s.getOutputStream().write(rq);
        }
        assertThat(peers).hasSize(64);

        Path file = Files.write(dir.resolve("loop.dcm"), new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.826.0.1.77", true, true, 70));
        Dcmtk.Result r = Dcmtk.run(List.of("storescu", "-xr", "-aec", AE, "-aet", "GOODSENDER", "127.0.0.1", String.valueOf(scp.port()),
                file.toString()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(stored).containsExactly("1.2.826.0.1.77");
        Dcmtk.Result echo = Dcmtk.run(List.of("echoscu", "-aec", AE, "127.0.0.1", String.valueOf(scp.port())));
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        assertThat(rejected).as("nobody was turned away").isEmpty();
    }

    @Test
    void an_empty_presentation_context_item_is_answered_with_an_a_abort_and_the_scp_goes_on() throws Exception {
        start(TestFiles.SCP_LIMITS);
        byte[] emptyContext = {0x20, 0, 0, 0};
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(TestScu.associateRq(AE, "MALFORMED", List.of(), emptyContext));
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertThat(in.readUnsignedByte()).as("PDU type").isEqualTo(0x07);
            in.readUnsignedByte();
            assertThat(in.readInt()).isEqualTo(4);
            byte[] abort = new byte[4];
            in.readFully(abort);
            assertThat(abort[2]).as("source: service provider").isEqualTo((byte) 2);
            assertThat(abort[3]).as("reason: invalid PDU parameter value").isEqualTo((byte) 6);
        }
        Dcmtk.Result echo = Dcmtk.run(List.of("echoscu", "-aec", AE, "127.0.0.1", String.valueOf(scp.port())));
        assertThat(echo.exitCode()).as(echo.output()).isZero();
        awaitAbort(a -> a.contains("presentation context item of 0 bytes"));
    }

    /** The SCP records an abort after it has closed the socket: wait for the record (bounded), then check it. */
    private void awaitAbort(java.util.function.Predicate<String> reason) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (aborted.stream().noneMatch(reason) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(aborted).anyMatch(reason);
    }

    @Test
    void associations_over_the_per_calling_ae_and_per_address_limits_are_rejected_as_a_transient_local_limit() throws Exception {
        start(new ScpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofHours(1), 2, 3, 128));
        List<TestScu.Proposal> echo = List.of(new TestScu.Proposal(1, TestScu.VERIFICATION, EXPLICIT_LE));
        List<TestScu> held = new ArrayList<>();
        try {
            held.add(TestScu.associate(scp.port(), AE, "GREEDY", echo));
            held.add(TestScu.associate(scp.port(), AE, "GREEDY", echo));
            assertThat(held).doesNotContainNull();
            assertThat(rejectOf("GREEDY")).as("third from one calling AE").containsExactly(2, 3, 2);
            held.add(TestScu.associate(scp.port(), AE, "OTHER", echo));
            assertThat(held).doesNotContainNull();
            assertThat(rejectOf("THIRD")).as("fourth from one address").containsExactly(2, 3, 2);
            assertThat(rejected).containsExactly("TOO_MANY_FOR_CALLING_AE", "TOO_MANY_FOR_ADDRESS");
        } finally {
            for (TestScu scu : held) {
                if (scu != null) {
                    scu.release();
                    scu.close();
                }
            }
        }
    }

    @Test
    void a_connection_that_never_completes_its_request_is_closed_by_the_association_request_timer() throws Exception {
        start(new ScpLimits(Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofHours(1), 6, 6, 128));
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(60_000); // far longer than ARTIM: the read ends because the SCP closes, not because we gave up
            s.getOutputStream().write(new byte[] {0x01, 0x00}); // the start of an A-ASSOCIATE-RQ, then nothing
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        awaitAbort(a -> a.equals("ARTIM"));
    }

    /** The result, source and reason of the A-ASSOCIATE-RJ a request from {@code calling} gets. */
    private List<Integer> rejectOf(String calling) throws IOException {
        try (Socket s = new Socket("127.0.0.1", scp.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(TestScu.associateRq(AE, calling,
                    List.of(new TestScu.Proposal(1, TestScu.VERIFICATION, EXPLICIT_LE)), new byte[0]));
            DataInputStream in = new DataInputStream(s.getInputStream());
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            byte[] body = new byte[in.readInt()];
            in.readFully(body);
            assertThat(type).as("A-ASSOCIATE-RJ").isEqualTo(3);
            return List.of((int) body[1], (int) body[2], (int) body[3]);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }
}
