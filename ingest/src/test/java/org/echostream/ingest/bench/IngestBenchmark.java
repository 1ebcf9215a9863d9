package org.echostream.ingest.bench;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.echostream.ingest.dicom.DecodeOutcome;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.ingest.pipeline.InstanceProcessor;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.ScpHarness;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.SharedLocalKafka;

/**
 * Benchmarks of ingest, side by side with dcmtk and Orthanc on the same machine and files; prints figures
 * (docs/benchmarks.md records them). Not a test: run with ingest/bench/run.sh.
 *
 * <pre>
 *   decode  frames/s of decode, of decode + clean + clip, of PixelMed's RLE decoder, of dcmdrle / dcmdjpeg
 *   cstore  C-STORE instances/s and MB/s with storescu: to the ingest SCP (with Kafka) and to Orthanc
 *   backfill  studies/hour and MB/s pulled from Orthanc by C-MOVE, C-GET and WADO-RS (BackfillBenchmark; not in the default run)
 * </pre>
 */
public final class IngestBenchmark {

    /** Copies of each file per C-STORE round (about 26 MB each). */
    private static final int COPIES = 4;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("ingest-bench-");
        List<Path> files = corpus(dir);
        if (args.length == 0 || args[0].equals("decode")) {
            decode(files, args.length > 1 ? Integer.parseInt(args[1]) : 5);
        }
        if (args.length == 0 || args[0].equals("cstore")) {
            cstore(files, dir, args.length > 1 ? Integer.parseInt(args[1]) : 2);
        }
        if (args.length > 0 && args[0].equals("backfill")) {
            BackfillBenchmark.run(files, dir, args.length > 1 ? Integer.parseInt(args[1]) : 4);
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Ultrasound-sized loops: 600x800 RGB 60 frames as RLE and JPEG baseline (dcmtk made), and the real echo cine. */
    static List<Path> corpus(Path dir) throws Exception {
        Path rgb = dir.resolve("rgb-native.dcm");
        Files.write(rgb, new SyntheticEcho(600, 800, 60, 20, 0.85).toPart10Rgb("2.25.900001"));
        Path rle = dir.resolve("rgb-rle.dcm");
        Path jpeg = dir.resolve("rgb-jpeg.dcm");
        check(Dcmtk.run(List.of("dcmcrle", rgb.toString(), rle.toString())), "dcmcrle");
        check(Dcmtk.run(List.of("dcmcjpeg", "+eb", rgb.toString(), jpeg.toString())), "dcmcjpeg");
        return List.of(rle, jpeg, TestFiles.ECHO_CINE);
    }

    private static void decode(List<Path> files, int rounds) throws Exception {
        PixelMedDicomDecoder decoder = new PixelMedDicomDecoder(TestFiles.LIMITS);
        InstanceProcessor processor = Pipelines.processor(TestFiles.shape());
        System.out.printf(Locale.ROOT, "%-22s %7s %12s %14s %12s %14s%n", "file", "frames", "decode f/s", "+clean+clip f/s",
                "dcmtk f/s", "PixelMed f/s");
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            int frames = ((DecodeOutcome.Decoded) decoder.decode(ByteBuffer.wrap(bytes))).loop().frames();
            String tool = file.getFileName().toString().contains("jpeg") ? "dcmdjpeg" : "dcmdrle";
            Path out = Files.createTempFile("bench", ".dcm");
            double ours = 0;
            double prepared = 0;
            double dcmtk = 0;
            double pixelMed = 0;
            for (int round = 0; round < rounds + 1; round++) { // round 0 warms the JIT; the rest are measured, interleaved
                long t0 = System.nanoTime();
                decoder.decode(ByteBuffer.wrap(bytes));
                long t1 = System.nanoTime();
                processor.process(ByteBuffer.wrap(bytes), Provenance.file("bench", Pipelines.T0), null);
                long t2 = System.nanoTime();
                check(Dcmtk.run(List.of(tool, file.toString(), out.toString())), tool);
                long t3 = System.nanoTime();
                pixelMedDecode(bytes);
                long t4 = System.nanoTime();
                if (round > 0) {
                    ours += t1 - t0;
                    prepared += t2 - t1;
                    dcmtk += t3 - t2;
                    pixelMed += t4 - t3;
                }
            }
            System.out.printf(Locale.ROOT, "%-22s %7d %12.0f %14.0f %12.0f %14.0f%n", file.getFileName(), frames,
                    rate(frames, rounds, ours), rate(frames, rounds, prepared), rate(frames, rounds, dcmtk), rate(frames, rounds, pixelMed));
        }
        System.out.println("dcmtk = dcmdrle / dcmdjpeg decompressing the whole file to disk, process start included");
    }

    private static void pixelMedDecode(byte[] bytes) throws Exception {
        com.pixelmed.dicom.AttributeList list = new com.pixelmed.dicom.AttributeList();
        try (com.pixelmed.dicom.DicomInputStream in = new com.pixelmed.dicom.DicomInputStream(new java.io.ByteArrayInputStream(bytes))) {
            list.read(in); // decompresses every frame as it reads (PixelMed's own RLE, ImageIO for JPEG)
        }
        if (list.get(com.pixelmed.dicom.TagFromName.PixelData) instanceof com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames) {
            throw new IllegalStateException("PixelMed left the frames compressed: the benchmark would not measure its decoder");
        }
    }

    private static void cstore(List<Path> files, Path dir, int rounds) throws Exception {
        List<Path> sent = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < COPIES; i++) {
            for (Path f : files) {
                Path copy = Peers.withNewUids(f, dir);
                sent.add(copy);
                bytes += Files.size(copy);
            }
        }
        LocalKafka kafka = new LocalKafka(LocalKafka.Config.defaults(SharedLocalKafka.testDataDir())).start();
        try (ScpHarness scp = new ScpHarness(kafka.bootstrapServers(), dir.resolve("scp"), TestFiles.shape(), Duration.ofSeconds(30), 0,
                java.util.Set.of());
             OrthancPeer orthanc = OrthancPeer.start(dir.resolve("orthanc"))) {
            System.out.printf(Locale.ROOT, "%d instances, %.1f MB per round (RLE RGB, JPEG RGB, the echo cine; new UIDs each)%n",
                    sent.size(), bytes / 1e6);
            double ingest = 0;
            double orthancSeconds = 0;
            for (int round = 0; round < rounds; round++) {
                List<Path> batch = round == 0 ? sent : fresh(sent, dir);
                // storescu proposes one compressed transfer syntax per run: the RLE files, then the JPEG ones
                List<Path> rle = batch.stream().filter(p -> !isJpeg(p)).toList();
                List<Path> jpeg = batch.stream().filter(IngestBenchmark::isJpeg).toList();
                long t0 = System.nanoTime();
                check(Peers.storescu(scp.port(), List.of("-xr"), rle), "storescu to ingest");
                check(Peers.storescu(scp.port(), List.of("-xy"), jpeg), "storescu to ingest");
                long t1 = System.nanoTime();
                check(Dcmtk.run(storescuTo(orthanc.dicomPort, "-xr", rle)), "storescu to Orthanc");
                check(Dcmtk.run(storescuTo(orthanc.dicomPort, "-xy", jpeg)), "storescu to Orthanc");
                long t2 = System.nanoTime();
                ingest += (t1 - t0) / 1e9;
                orthancSeconds += (t2 - t1) / 1e9;
            }
            double n = (double) sent.size() * rounds;
            double mb = bytes / 1e6 * rounds;
            System.out.printf(Locale.ROOT, "%-34s %10s %8s%n", "storescu to", "inst/s", "MB/s");
            System.out.printf(Locale.ROOT, "%-34s %10.1f %8.1f%n", "ingest SCP (spool+decode+Kafka txn)", n / ingest, mb / ingest);
            System.out.printf(Locale.ROOT, "%-34s %10.1f %8.1f%n", "Orthanc 1.10 (store to its disk)", n / orthancSeconds, mb / orthancSeconds);
        } finally {
            kafka.close();
        }
    }

    private static List<Path> fresh(List<Path> files, Path dir) throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            out.add(Peers.withNewUids(f, dir));
        }
        return out;
    }

    private static boolean isJpeg(Path file) {
        try {
            return org.echostream.ingest.testing.TestScu.Instance.of(Files.readAllBytes(file)).transferSyntaxUid().startsWith("1.2.840.10008.1.2.4.");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> storescuTo(int port, String proposal, List<Path> files) {
        List<String> command = new ArrayList<>(List.of("storescu", "-aec", "ORTHANC", "-aet", "STORESCU", proposal, "127.0.0.1",
                String.valueOf(port)));
        files.forEach(f -> command.add(f.toString()));
        return command;
    }

    private static double rate(int frames, int rounds, double nanos) {
        return frames * (double) rounds / (nanos / 1e9);
    }

    private static void check(Dcmtk.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new IllegalStateException(what + " failed: " + r.output());
        }
    }

    /** Orthanc with its DICOM server on a free loopback port, storing to a temporary folder. */
    static final class OrthancPeer implements AutoCloseable {
        final int dicomPort;
        private final Process process;

        private OrthancPeer(Process process, int dicomPort) {
            this.process = process;
            this.dicomPort = dicomPort;
        }

        static OrthancPeer start(Path dir) throws Exception {
            Files.createDirectories(dir);
            int http = Peers.freePort();
            int dicom = Peers.freePort();
            Path config = dir.resolve("orthanc.json");
            Files.writeString(config, """
                    {"Name": "bench", "StorageDirectory": "%s", "IndexDirectory": "%s", "HttpPort": %d, "DicomPort": %d,
                     "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "DicomAet": "ORTHANC", "Plugins": [],
                     "DicomAlwaysAllowStore": true, "DicomCheckCalledAet": false}
                    """.formatted(dir.resolve("storage"), dir.resolve("index"), http, dicom));
            Process p = new ProcessBuilder("Orthanc", config.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("orthanc.log").toFile()).start();
            for (int i = 0; i < 120; i++) {
                if (Dcmtk.run(List.of("echoscu", "-aec", "ORTHANC", "127.0.0.1", String.valueOf(dicom))).exitCode() == 0) {
                    return new OrthancPeer(p, dicom);
                }
                Thread.sleep(500);
            }
            p.destroyForcibly();
            throw new IllegalStateException("Orthanc did not start");
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            process.waitFor();
        }
    }
}
