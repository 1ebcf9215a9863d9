package org.echostream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.echostream.contracts.Verdict;
import org.echostream.ingest.dicom.DicomLimits;
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

    private static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    private static final String DEFLATED = "1.2.840.10008.1.2.1.99";
    /** Small enough that the deflate bomb below stays cheap to build; everything else as in production. */
    private static final DicomLimits LIMITS = new DicomLimits(512L << 20, 16L << 20, 4000, 256L << 20, 64L << 20, 1536L << 20, 16);

    @TempDir
    Path dir;

    /** The crafted set, by file name, with the reason each must be rejected with. */
    private static Map<String, Crafted> craftedSet() throws Exception {
        Map<String, Crafted> set = new LinkedHashMap<>();
        // the measured one: 642 bytes declaring one 16384x16384 RGB frame (768 MiB of samples, 256 MiB of grey)
        set.put("rle-rgb-16384.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.1", 16384, 16384, 1, "RGB")
                .encapsulated(List.of(rleHeaderOnly(3))).toPart10(Part10Writer.RLE, "1.2.826.0.1.1"), RejectReason.TOO_LARGE_DECODED));
        set.put("native-gray-16384.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.2", 16384, 16384, 1, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.2"),
                RejectReason.TOO_LARGE_DECODED));
        // 1000 frames of 512x512 pass every cap, but the file holds 100 bytes of them
        set.put("native-lying-length.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.3", 512, 512, 1000, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.826.0.1.3"),
                RejectReason.TRUNCATED_PIXEL_DATA));
        set.put("jpeg-rgb-65535.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.4", 65535, 65535, 1, "RGB")
                .encapsulated(List.of(jpegHeader(65535, 65535, 3))).toPart10(JPEG_BASELINE, "1.2.826.0.1.4"), RejectReason.TOO_LARGE_DECODED));
        // small attributes, a codestream header that asks the codec for 65535x65535
        set.put("jpeg-header-lies.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.5", 64, 64, 1, "MONOCHROME2")
                .encapsulated(List.of(jpegHeader(65535, 65535, 1))).toPart10(JPEG_BASELINE, "1.2.826.0.1.5"),
                RejectReason.CORRUPT_COMPRESSED_FRAME));
        set.put("deflate-bomb.dcm", new Crafted(deflateBomb(), RejectReason.FILE_TOO_LARGE));
        // three frames, a Basic Offset Table pointing far past the two fragments there are
        set.put("rle-lying-offset-table.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.7", 64, 64, 3, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 12)).raw(u32s(0, 1_000_000, 2_000_000))
                .raw(Part10Writer.itemHeader(0xE000, 64)).raw(rleHeaderOnly(1)).raw(Part10Writer.itemHeader(0xE000, 64)).raw(rleHeaderOnly(1))
                .raw(Part10Writer.itemHeader(0xE0DD, 0)).toPart10(Part10Writer.RLE, "1.2.826.0.1.7"), null));
        // a fragment item declaring 4 GB in a file of a few hundred bytes
        set.put("rle-lying-fragment-length.dcm", new Crafted(Part10Writer.explicit().usImage("1.2.826.0.1.8", 64, 64, 1, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 0xFFFFFFFFL).raw(Part10Writer.itemHeader(0xE000, 0))
                .raw(Part10Writer.itemHeader(0xE000, 0xFFFFFFF0L)).raw(rleHeaderOnly(1)).toPart10(Part10Writer.RLE, "1.2.826.0.1.8"), null));
        return set;
    }

    @Test
    void inspect_gives_one_rejected_line_with_its_reason_per_crafted_file_and_goes_on() throws Exception {
        Map<String, Crafted> set = craftedSet();
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
        Map<String, Crafted> set = craftedSet();
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
        List<byte[]> fragments = java.util.Collections.nCopies(31, rleHeaderOnly(1));
        byte[] file = Part10Writer.explicit().usImage("1.2.826.0.1.9", 49981, 1386, 31, "MONOCHROME2").encapsulated(fragments)
                .toPart10(Part10Writer.RLE, "1.2.826.0.1.9");
        ProcessedInstance p = processor(open).process(ByteBuffer.wrap(file), Provenance.file("hostile", Pipelines.T0), null);
        assertThat(p.verdict().verdict()).isEqualTo(Verdict.REJECTED);
        assertThat(p.verdict().reasonCode()).isEqualTo(RejectReason.DECODE_OUT_OF_MEMORY.name());
        assertThat(p.verdict().reasonDetail()).isEqualTo("decoding 31 frames of 1386x49981 with 1 samples of 8 bits ran out of memory");
        assertThat(p.deadLetter()).isNotNull();
    }

    private static InstanceProcessor processor(DicomLimits limits) {
        return new InstanceProcessor(new PixelMedDicomDecoder(limits), TestFiles.shortShape(), new InstanceClassifier(Pipelines.NON_CARDIAC),
                Pipelines.PREP, Pipelines.CLOCK);
    }

    /** An RLE frame header naming {@code segments} segments that all start right after it: nothing to decode. */
    private static byte[] rleHeaderOnly(int segments) {
        ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putInt(segments);
        for (int s = 0; s < segments; s++) {
            header.putInt(64);
        }
        return header.array();
    }

    /** SOI and a baseline SOF0 declaring the geometry, then EOI: what a codec sizes its buffers from. */
    private static byte[] jpegHeader(int width, int height, int components) {
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + 8 + 3 * components + 2 + (components % 2 == 0 ? 0 : 1));
        b.put((byte) 0xFF).put((byte) 0xD8).put((byte) 0xFF).put((byte) 0xC0).putShort((short) (8 + 3 * components)).put((byte) 8)
                .putShort((short) height).putShort((short) width).put((byte) components);
        for (int c = 0; c < components; c++) {
            b.put((byte) (c + 1)).put((byte) 0x11).put((byte) 0);
        }
        b.put((byte) 0xFF).put((byte) 0xD9);
        return b.array();
    }

    /** 32 MiB of zeros in one element, deflated to about 32 KB: twice the inflation the limits allow. */
    private static byte[] deflateBomb() {
        byte[] dataset = Part10Writer.explicit().string(0x0008, 0x0016, "UI", Part10Writer.US_MULTIFRAME)
                .header(0x0009, 0x1010, "OB", 32L << 20).raw(new byte[32 << 20]).dataset();
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(dataset);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        while (!deflater.finished()) {
            out.write(chunk, 0, deflater.deflate(chunk));
        }
        deflater.end();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(Part10Writer.explicit().toPart10(DEFLATED, "1.2.826.0.1.6"));
        file.writeBytes(out.toByteArray());
        return file.toByteArray();
    }

    private static byte[] u32s(int... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private record Crafted(byte[] bytes, RejectReason reason) {
    }
}
