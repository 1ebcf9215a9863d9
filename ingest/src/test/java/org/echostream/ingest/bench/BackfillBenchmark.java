package org.echostream.ingest.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.echostream.contracts.jobs.BackfillParameters;
import org.echostream.contracts.kafka.TopicCatalogueAdmin;
import org.echostream.ingest.completeness.StudyCompleteness;
import org.echostream.ingest.kafka.KafkaInstancePublisher;
import org.echostream.ingest.kafka.KafkaSettings;
import org.echostream.ingest.pacs.Backfill;
import org.echostream.ingest.pacs.InstanceReceiver;
import org.echostream.ingest.pacs.MoveRegistry;
import org.echostream.ingest.pacs.PacsConnections;
import org.echostream.ingest.pacs.PacsNode;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.InstanceLedger;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.pipeline.Throttle;
import org.echostream.dicom.net.DicomScp;
import org.echostream.ingest.scp.IngestingStoreHandler;
import org.echostream.ingest.scp.IngestContexts;
import org.echostream.dicom.net.ScpListener;
import org.echostream.dicom.net.ScpSettings;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.OrthancPacs;
import org.echostream.ingest.testing.Peers;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.TestFiles;
import org.echostream.kafka.local.LocalKafka;
import org.echostream.kafka.local.SharedLocalKafka;

/**
 * Backfill throughput from a real Orthanc on this machine: the same studies pulled by C-MOVE, C-GET and WADO-RS
 * through the whole ingest path (spool with fsync, decode, clean, clip, Kafka transaction), against Orthanc
 * sending them by C-STORE to dcmtk's storescp (what the PACS side alone costs). The pipeline's busy time (the
 * Ingestor's per-instance nanos, summed) against the wall time says where the time goes.
 */
final class BackfillBenchmark {

    private static final Clock CLOCK = Clock.systemUTC();

    private BackfillBenchmark() {
    }

    /** @param files one study's instances (copied with new UIDs for every study) */
    static void run(List<Path> files, Path dir, int studies) throws Exception {
        LocalKafka kafka = new LocalKafka(LocalKafka.Config.defaults(SharedLocalKafka.testDataDir())).start();
        try (OrthancPacs orthanc = OrthancPacs.start(dir.resolve("pacs"))) {
            long bytesPerMethod = 0;
            List<String> methods = List.of("C_MOVE", "C_GET", "WADO_RS", "SINK");
            for (String method : methods) {
                long bytes = 0;
                for (int s = 0; s < studies; s++) {
                    bytes += study(files, dir, orthanc, "BENCH-" + method, s);
                }
                bytesPerMethod = bytes;
            }
            System.out.printf(Locale.ROOT, "per method: %d studies of %d instances, %.1f MB (RLE RGB, JPEG RGB, the echo cine)%n", studies,
                    files.size(), bytesPerMethod / 1e6);

            TopicCatalogueAdmin.ensureCatalogue(kafka.bootstrapServers(), (short) 1);
            AtomicLong busyNanos = new AtomicLong();
            AtomicLong clips = new AtomicLong();
            Spool spool = new Spool(dir.resolve("spool"), 0);
            try (KafkaInstancePublisher publisher = new KafkaInstancePublisher(new KafkaSettings(kafka.bootstrapServers(), Duration.ofSeconds(30)),
                    "bench-ingest-" + java.util.UUID.randomUUID())) {
                InstanceLedger ledger = new InstanceLedger();
                StudyCompleteness completeness = new StudyCompleteness(new StudyCompleteness.Rules(Duration.ofSeconds(30), Duration.ofMinutes(5)));
                Ingestor ingestor = new Ingestor(Pipelines.processor(TestFiles.shortShape()), spool, publisher, ledger, TestFiles.LIMITS.maxFileBytes(),
                        (result, provenance, nanos) -> {
                            busyNanos.addAndGet(nanos);
                            if (result instanceof IngestResult.Published p) {
                                clips.addAndGet(p.instance().instance() == null ? 0 : p.instance().instance().getClipCount());
                            }
                        }, 2, completeness);
                MoveRegistry moves = new MoveRegistry();
                DicomScp scp = new DicomScp(new ScpSettings("ECHOSTREAM", "127.0.0.1", 0, Set.of(), 4, 262144, Duration.ofSeconds(60),
                        TestFiles.LIMITS.maxFileBytes(), TestFiles.SCP_LIMITS, IngestContexts.STORAGE_CLASSES,
                        IngestContexts.TRANSFER_SYNTAXES), new IngestingStoreHandler(ingestor, CLOCK, TestFiles.LIMITS.maxFileBytes(), moves),
                        ScpListener.NONE).start();
                try {
                    orthanc.registerModality("echostream", "ECHOSTREAM", scp.port());
                    PacsConnections connections = new PacsConnections("ECHOSTREAM", moves,
                            new InstanceReceiver(ingestor, CLOCK, TestFiles.LIMITS.maxFileBytes()), Duration.ofSeconds(10));
                    System.out.printf(Locale.ROOT, "%-10s %8s %9s %8s %8s %12s %10s %12s%n", "method", "seconds", "studies/h", "inst/s", "MB/s",
                            "pipeline %", "clips", "clips/s");
                    for (String method : methods.subList(0, 3)) {
                        PacsNode.RetrieveMethod retrieve = PacsNode.RetrieveMethod.valueOf(method);
                        PacsNode node = new PacsNode("bench", OrthancPacs.AE, "127.0.0.1", orthanc.dicomPort,
                                java.net.URI.create(orthanc.dicomWebUrl()), new PacsNode.Credentials(OrthancPacs.USER, OrthancPacs.PASSWORD), retrieve,
                                2, 0, Duration.ofSeconds(120));
                        Backfill backfill = new Backfill(node, connections.factory(node), ledger, completeness, CLOCK,
                                new Throttle(0, CLOCK, Throttle.THREAD_SLEEP), new Backfill.Settings(20, 1, Duration.ofSeconds(1), 5),
                                Throttle.THREAD_SLEEP, letter -> System.out.println("dead letter: " + letter.getReasonCode() + " " + letter.getReasonDetail()));
                        busyNanos.set(0);
                        clips.set(0);
                        long t0 = System.nanoTime();
                        Backfill.Summary summary = backfill.run("bench-" + method, new BackfillParameters("bench", null, null,
                                List.of("BENCH-" + method), List.of()), Backfill.Resume.NONE, p -> { }, () -> false);
                        double seconds = (System.nanoTime() - t0) / 1e9;
                        var t = summary.progress().tally();
                        if (summary.ending() != Backfill.Ending.SUCCEEDED) {
                            System.out.printf("%-10s %s: %s%n", method, summary.ending(), summary.message());
                            continue;
                        }
                        System.out.printf(Locale.ROOT, "%-10s %8.1f %9.0f %8.2f %8.1f %11.0f%% %10d %12.1f%n", method, seconds,
                                t.studiesDone() * 3600 / seconds, t.ingested() / seconds, t.bytes() / 1e6 / seconds,
                                100 * busyNanos.get() / 1e9 / seconds, clips.get(), clips.get() / seconds);
                    }
                } finally {
                    scp.close();
                }
            }
            sink(orthanc, dir, studies, bytesPerMethod);
        } finally {
            kafka.close();
        }
    }

    /** Orthanc sending the SINK studies by C-STORE to storescp (files to disk, nothing else): the PACS side alone. */
    private static void sink(OrthancPacs orthanc, Path dir, int studies, long bytes) throws Exception {
        int port = Peers.freePort();
        Path out = Files.createDirectories(dir.resolve("sink"));
        Process storescp = new ProcessBuilder("storescp", "-aet", "SINK", "-od", out.toString(), "+xa", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(dir.resolve("storescp.log").toFile()).start();
        try {
            Thread.sleep(500);
            orthanc.registerModality("sink", "SINK", port);
            List<String> ids = orthanc.studiesOfPatient("BENCH-SINK");
            long t0 = System.nanoTime();
            for (String id : ids) {
                orthanc.storeTo("sink", id);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "%-10s %8.1f %9.0f %8s %8.1f   (Orthanc C-STORE to storescp: the PACS side alone)%n", "SINK", seconds,
                    studies * 3600 / seconds, "-", bytes / 1e6 / seconds);
        } finally {
            storescp.destroy();
        }
    }

    /** One study of copies of the files with new UIDs and one Study Instance UID, uploaded to Orthanc; returns its bytes. */
    private static long study(List<Path> files, Path dir, OrthancPacs orthanc, String patient, int index) throws Exception {
        List<Path> copies = new ArrayList<>();
        for (Path f : files) {
            copies.add(Peers.withNewUids(f, dir));
        }
        String studyUid = "2.25." + new java.math.BigInteger(java.util.UUID.randomUUID().toString().replace("-", ""), 16);
        long bytes = 0;
        for (Path c : copies) {
            var r = Dcmtk.run(List.of("dcmodify", "-nb", "-i", "(0020,000D)=" + studyUid, "-i", "(0010,0020)=" + patient,
                    "-i", "(0008,0020)=2020010" + (1 + index % 9), "-i", "(0008,0060)=US", c.toString()));
            if (r.exitCode() != 0) {
                throw new IllegalStateException("dcmodify: " + r.output());
            }
            orthanc.upload(c);
            bytes += Files.size(c);
            Files.delete(c);
        }
        return bytes;
    }
}
