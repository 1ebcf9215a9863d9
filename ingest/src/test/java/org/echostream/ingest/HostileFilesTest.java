package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.echostream.contracts.Verdict;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.echostream.ingest.dicom.BudgetedDecoder;
import org.echostream.ingest.dicom.DecodeOutcome;
import org.echostream.ingest.dicom.DicomDecoder;
import org.echostream.ingest.dicom.DicomLimits;
import org.echostream.ingest.dicom.DicomScanner;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.ingest.dicom.RejectReason;
import org.echostream.ingest.pipeline.IngestResult;
import org.echostream.ingest.pipeline.Ingestor;
import org.echostream.ingest.pipeline.InstanceClassifier;
import org.echostream.ingest.pipeline.InstanceLedger;
import org.echostream.ingest.pipeline.InstanceProcessor;
import org.echostream.ingest.pipeline.ProcessedInstance;
import org.echostream.ingest.pipeline.Provenance;
import org.echostream.ingest.pipeline.Spool;
import org.echostream.ingest.testing.CraftedFiles;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.Pipelines;
import org.echostream.ingest.testing.RecordingPublisher;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files crafted to make a decoder allocate what they never hold, through {@code inspect} and the ingest
 * path: each gets one REJECTED verdict with its reason and a dead letter, and a well-formed loop after
 * them all still gives clips (the process is alive and serving).
 */
class HostileFilesTest {

    private static final DicomLimits LIMITS = CraftedFiles.LIMITS;

    @TempDir
    Path dir;

    @Test
    void inspect_gives_one_rejected_line_with_its_reason_per_crafted_file_and_goes_on() throws Exception {
        Map<String, CraftedFiles.Crafted> set = CraftedFiles.set();
        for (var e : set.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue().bytes());
        }
        Files.write(dir.resolve("zz-good-loop.dcm"), new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.826.0.1.99", true, true, 70));
        InspectCommand inspect = new InspectCommand(processor(LIMITS), Pipelines.CLOCK);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code = inspect.run(List.of(dir.toString()));
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(code).isZero();
        assertThat(lines).hasSize(set.size() + 1);
        for (var e : set.entrySet()) {
            String line = lines.stream().filter(l -> l.contains(e.getKey())).findFirst().orElseThrow();
            assertThat(line).as(e.getKey()).contains("\"rejected\"").doesNotContain(RejectReason.DECODER_FAILURE.name())
                    .doesNotContain("DOE^JANE").doesNotContain("PID-4711");
            if (e.getValue().reason() != null) {
                assertThat(line).as(e.getKey()).contains(e.getValue().reason().name());
            }
        }
        assertThat(lines.get(lines.size() - 1)).contains("zz-good-loop.dcm").doesNotContain("\"rejected\"");
    }

    @Test
    void the_ingest_path_dead_letters_each_crafted_file_and_still_ingests_a_good_loop_after_them() throws Exception {
        RecordingPublisher publisher = new RecordingPublisher();
        Ingestor ingestor = new Ingestor(processor(LIMITS), new Spool(dir.resolve("spool"), 0), publisher, new InstanceLedger(),
                LIMITS.maxFileBytes(), (result, provenance, nanos) -> { });
        Map<String, CraftedFiles.Crafted> set = CraftedFiles.set();
        for (var e : set.entrySet()) {
            Path file = Files.write(dir.resolve(e.getKey()), e.getValue().bytes());
            IngestResult result = ingestor.ingestFile(file, Provenance.file("hostile", Pipelines.T0));
            assertThat(result).as(e.getKey()).isNotInstanceOf(IngestResult.Refused.class);
        }
        assertThat(publisher.published).hasSize(set.size());
        int i = 0;
        for (var e : set.entrySet()) {
            ProcessedInstance p = publisher.published.get(i++);
            assertThat(p.verdict().verdict()).as(e.getKey()).isEqualTo(Verdict.REJECTED);
            assertThat(p.deadLetter()).as(e.getKey()).isNotNull();
            assertThat(p.verdict().reasonCode()).as("%s: %s", e.getKey(), p.verdict().reasonDetail())
                    .isNotEqualTo(RejectReason.DECODER_FAILURE.name());
            assertThat(p.verdict().reasonDetail()).doesNotContain("DOE^JANE").doesNotContain("PID-4711");
            if (e.getValue().reason() != null) {
                assertThat(p.verdict().reasonCode()).as(e.getKey()).isEqualTo(e.getValue().reason().name());
            }
        }
        Path good = Files.write(dir.resolve("good.dcm"), new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10("1.2.826.0.1.99", true, true, 70));
        ingestor.ingestFile(good, Provenance.file("hostile", Pipelines.T0));
        assertThat(publisher.published.get(set.size()).verdict().verdict()).isEqualTo(Verdict.CLIPS);
    }

    @Test
    void an_allocation_failure_inside_a_decode_becomes_a_rejected_verdict_with_its_reason() throws Exception {
        // Caps opened to 2 GiB so the grey loop of 31 frames of 1386x49981 (2,147,483,646 bytes) is asked
        // for: the JVM refuses an array that size whatever its heap, so the failure is certain and costs nothing.
        DicomLimits open = new DicomLimits(512L << 20, 512L << 20, 4000, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE, 16);
        List<byte[]> fragments = java.util.Collections.nCopies(31, CraftedFiles.rleHeaderOnly(1));
        byte[] file = Part10Writer.explicit().usImage("1.2.826.0.1.9", 49981, 1386, 31, "MONOCHROME2").encapsulated(fragments)
                .toPart10(Part10Writer.RLE, "1.2.826.0.1.9");
        ProcessedInstance p = processor(open).process(ByteBuffer.wrap(file), Provenance.file("hostile", Pipelines.T0), null);
        assertThat(p.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(p.verdict().reasonCode()).isEqualTo(RejectReason.DECODE_OUT_OF_MEMORY.name());
        assertThat(p.verdict().reasonDetail()).isEqualTo("decoding 31 frames of 1386x49981 with 1 samples of 8 bits ran out of memory");
        assertThat(p.deadLetter()).isNotNull();
    }

    @Test
    void a_decode_past_its_budget_becomes_decode_timeout_and_the_service_goes_on_serving() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        DicomDecoder real = new PixelMedDicomDecoder(LIMITS);
        // A codec that never returns and ignores interrupts, as ImageIO's JPEG 2000 reader does on some codestreams.
        DicomDecoder hanging = file -> {
            if (!HANG_SOP.equals(sopOf(file))) {
                return real.decode(file);
            }
            while (!release.get()) {
                LockSupport.parkNanos(10_000_000L);
                Thread.interrupted(); // ignored, as such a codec does
            }
            return new DecodeOutcome.Rejected(RejectReason.DECODER_FAILURE, "released", null, null);
        };
        RecordingPublisher publisher = new RecordingPublisher();
        try (BudgetedDecoder budgeted = new BudgetedDecoder(hanging, Duration.ofMillis(300), 2)) {
            InstanceProcessor processor = new InstanceProcessor(budgeted, TestFiles.shortShape(), new InstanceClassifier(Pipelines.NON_CARDIAC),
                    Pipelines.PREP, Pipelines.CLOCK);
            // one processing slot: a decode that held it forever would stop everything after it
            Ingestor ingestor = new Ingestor(processor, new Spool(dir.resolve("spool"), 0), publisher, new InstanceLedger(),
                    LIMITS.maxFileBytes(), (result, provenance, nanos) -> { }, 1);

            long start = System.nanoTime();
            ProcessedInstance hung = ingestOne(ingestor, publisher, "hang-1.dcm", hangFile());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            assertThat(hung.verdict().verdict()).isEqualTo(Verdict.REJECTED);
            assertThat(hung.verdict().reasonCode()).isEqualTo(RejectReason.DECODE_TIMEOUT.name());
            assertThat(hung.verdict().reasonDetail()).contains("300 ms budget");
            assertThat(hung.deadLetter()).isNotNull();
            assertThat(ingestOne(ingestor, publisher, "good-1.dcm", goodLoop("1.2.826.0.1.91")).verdict().verdict()).isEqualTo(Verdict.CLIPS);

            // a second hanging decode takes the last thread: the pool refuses to grow, and says why
            assertThat(ingestOne(ingestor, publisher, "hang-2.dcm", hangFile()).verdict().reasonCode()).isEqualTo(RejectReason.DECODE_TIMEOUT.name());
            ProcessedInstance starved = ingestOne(ingestor, publisher, "good-2.dcm", goodLoop("1.2.826.0.1.92"));
            assertThat(starved.verdict().reasonCode()).isEqualTo(RejectReason.DECODE_TIMEOUT.name());
            assertThat(starved.verdict().reasonDetail()).contains("no decode thread free");
            assertThat(budgeted.overran()).isEqualTo(2);

            // once the abandoned decodes end, their threads serve again
            release.set(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (budgeted.running() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ingestOne(ingestor, publisher, "good-3.dcm", goodLoop("1.2.826.0.1.93")).verdict().verdict()).isEqualTo(Verdict.CLIPS);
        } finally {
            release.set(true);
        }
    }

    private static final String HANG_SOP = "1.2.826.0.1.666";

    private static byte[] hangFile() {
        return new SyntheticEcho(60, 80, 20, 40, 0.8).toPart10(HANG_SOP + "." + System.nanoTime(), true, true, 70);
    }

    private static byte[] goodLoop(String sop) {
        return new SyntheticEcho(120, 160, 101, 40, 0.8).toPart10(sop, true, true, 70);
    }

    private static String sopOf(ByteBuffer file) {
        try {
            String sop = DicomScanner.meta(file.duplicate()).sopInstanceUid();
            return sop != null && sop.startsWith(HANG_SOP) ? HANG_SOP : sop;
        } catch (Exception e) {
            return null;
        }
    }

    private ProcessedInstance ingestOne(Ingestor ingestor, RecordingPublisher publisher, String name, byte[] bytes) throws Exception {
        int before = publisher.published.size();
        IngestResult result = ingestor.ingestFile(Files.write(dir.resolve(name), bytes), Provenance.file("hostile", Pipelines.T0));
        assertThat(result).as(name).isNotInstanceOf(IngestResult.Refused.class);
        assertThat(publisher.published).as(name).hasSize(before + 1);
        return publisher.published.get(before);
    }

    private static InstanceProcessor processor(DicomLimits limits) {
        return new InstanceProcessor(new PixelMedDicomDecoder(limits), TestFiles.shortShape(), new InstanceClassifier(Pipelines.NON_CARDIAC),
                Pipelines.PREP, Pipelines.CLOCK);
    }

}
