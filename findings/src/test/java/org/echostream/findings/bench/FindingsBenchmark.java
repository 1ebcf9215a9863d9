package org.echostream.findings.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.echostream.findings.delivery.DimseTransport;
import org.echostream.findings.delivery.SendOutcome;
import org.echostream.findings.delivery.StowRsTransport;
import org.echostream.findings.delivery.Transport;
import org.echostream.findings.dicom.DocumentEncoder;
import org.echostream.findings.dicom.EncodedDocument;
import org.echostream.findings.report.DocumentSettings;
import org.echostream.findings.report.Equipment;
import org.echostream.findings.report.Findings;
import org.echostream.findings.report.FindingsBuilder;
import org.echostream.findings.study.Assessment;
import org.echostream.findings.study.StudyBook;
import org.echostream.findings.study.StudyResult;
import org.echostream.findings.testing.EchoStudy;
import org.echostream.findings.testing.Orthanc;

/**
 * How long one study's findings take: building and encoding the SR and KOS, and sending them to a real Orthanc by
 * C-STORE (our SCU, one association per study) and by STOW-RS (one POST per study). Prints figures
 * (docs/benchmarks.md records them). Not a test: run with findings/bench/run.sh [studies].
 */
public final class FindingsBenchmark {

    private FindingsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        FindingsBuilder builder = new FindingsBuilder(new DocumentSettings(9901, 9902, new Equipment("echostream", "bench", "0", "echostream", "2.25.9")));
        DocumentEncoder encoder = new DocumentEncoder();
        List<StudyResult> results = new ArrayList<>();
        // three sets of new studies: one to time the encoder, one per transport, so each send stores new instances
        for (int i = 0; i < 3 * studies; i++) {
            EchoStudy echo = new EchoStudy("2.25." + (System.nanoTime() / 1000) + i);
            StudyBook book = echo.into(new StudyBook(), EchoStudy.T0);
            results.add(((Assessment.Ready) book.assess(echo.study, EchoStudy.T0.plusSeconds(60), Duration.ofSeconds(1))).result());
        }
        // warm-up: the first documents pay for class loading and JIT
        for (int i = 0; i < Math.min(50, studies); i++) {
            encode(builder, encoder, results.get(i));
        }
        long[] build = new long[studies];
        List<List<EncodedDocument>> documents = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < studies; i++) {
            long t = System.nanoTime();
            List<EncodedDocument> docs = encode(builder, encoder, results.get(i));
            build[i] = System.nanoTime() - t;
            bytes += docs.stream().mapToLong(d -> d.part10().length).sum();
        }
        for (int i = studies; i < 3 * studies; i++) {
            documents.add(encode(builder, encoder, results.get(i)));
        }
        print("build + encode SR and KOS", build, bytes / studies);

        Path dir = Files.createTempDirectory("findings-bench");
        try (Orthanc orthanc = Orthanc.start(dir.resolve("orthanc"))) {
            Transport dimse = new DimseTransport(new DimseTransport.Settings("127.0.0.1", orthanc.dicomPort(), Orthanc.AE_TITLE, "ECHOSTREAM",
                    Duration.ofSeconds(10), Duration.ofSeconds(60), 65536));
            Transport stow = new StowRsTransport(new StowRsTransport.Settings(orthanc.dicomWebRoot(), Optional::empty,
                    Duration.ofSeconds(10), Duration.ofSeconds(60)));
            print("C-STORE to Orthanc 1.10 (one association per study)", send(dimse, results.subList(studies, 2 * studies),
                    documents.subList(0, studies)), bytes / studies);
            print("STOW-RS to Orthanc 1.10 (one POST per study)", send(stow, results.subList(2 * studies, 3 * studies),
                    documents.subList(studies, 2 * studies)), bytes / studies);
        }
    }

    private static List<EncodedDocument> encode(FindingsBuilder builder, DocumentEncoder encoder, StudyResult result) {
        Findings f = builder.build(result, Optional.empty());
        List<EncodedDocument> docs = new ArrayList<>();
        docs.add(encoder.encode(f.report()));
        f.keyImages().ifPresent(k -> docs.add(encoder.encode(k)));
        return docs;
    }

    private static long[] send(Transport transport, List<StudyResult> results, List<List<EncodedDocument>> documents) {
        long[] took = new long[results.size()];
        for (int i = 0; i < results.size(); i++) {
            long t = System.nanoTime();
            SendOutcome outcome = transport.send(results.get(i).studyInstanceUid(), documents.get(i));
            took[i] = System.nanoTime() - t;
            if (!(outcome instanceof SendOutcome.Stored)) {
                throw new IllegalStateException(transport.kind() + " study " + i + ": " + outcome);
            }
        }
        return took;
    }

    private static void print(String what, long[] nanos, long bytesPerStudy) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double total = Arrays.stream(nanos).sum() / 1e9;
        System.out.printf(Locale.ROOT, "%-75s studies %d  median %.2f ms  p95 %.2f ms  %.0f studies/s  (%d bytes per study)%n", what,
                nanos.length, sorted[sorted.length / 2] / 1e6, sorted[(int) (sorted.length * 0.95)] / 1e6, nanos.length / total, bytesPerStudy);
    }
}
