package org.echostream.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;

class DicomScannerTest {

    private final DicomScanner scanner = new DicomScanner(TestFiles.LIMITS);
    private final DicomDecoder decoder = new PixelMedDicomDecoder(TestFiles.LIMITS);

    @Test
    void rejects_an_element_declaring_two_gigabytes_in_a_small_file_before_allocating_it() {
        byte[] file = Part10Writer.explicit().usImage("1.2.3", 4, 4, 1, "MONOCHROME2")
                .header(0x0009, 0x1010, "OB", 0x7FFF_FFF0L).raw(new byte[1000])
                .toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        assertThat(file.length).isLessThan(2048);
        DecodeOutcome outcome = decoder.decode(ByteBuffer.wrap(file));
        assertThat(outcome).isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TRUNCATED);
            assertThat(r.detail()).contains("(0009,1010)").contains("declares 2,147,483,632 bytes").contains("1,000 are left");
        });
    }

    @Test
    void rejects_a_huge_length_hidden_inside_a_sequence_item() {
        Part10Writer item = Part10Writer.item().header(0x0018, 0x6012, "US", 2).raw(new byte[2])
                .header(0x0018, 0x6020, "OB", 0x4000_0000L).raw(new byte[8]);
        byte[] file = Part10Writer.explicit().usImage("1.2.3", 4, 4, 1, "MONOCHROME2", g -> g.sequence(0x0018, 0x6011, item))
                .element(0x7FE0, 0x0010, "OB", new byte[16]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        assertThatThrownBy(() -> scanner.scan(ByteBuffer.wrap(file)))
                .isInstanceOfSatisfying(DicomInputException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.TRUNCATED))
                .hasMessageContaining("(0018,6020)");
    }

    @Test
    void rejects_truncated_pixel_data_with_reason() {
        byte[] file = Part10Writer.explicit().usImage("1.2.3", 64, 64, 2, "MONOCHROME2")
                .element(0x7FE0, 0x0010, "OB", new byte[64 * 64]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        DecodeOutcome outcome = decoder.decode(ByteBuffer.wrap(file));
        assertThat(outcome).isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TRUNCATED_PIXEL_DATA);
            assertThat(r.detail()).contains("4,096 bytes").contains("need 8,192");
        });
    }

    @Test
    void rejects_pixel_data_cut_short_by_the_end_of_the_file() {
        byte[] whole = Part10Writer.explicit().usImage("1.2.3", 64, 64, 1, "MONOCHROME2")
                .element(0x7FE0, 0x0010, "OB", new byte[64 * 64]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 100);
        assertThat(decoder.decode(ByteBuffer.wrap(cut)))
                .isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> assertThat(r.reason()).isEqualTo(RejectReason.TRUNCATED_PIXEL_DATA));
    }

    @Test
    void rejects_encapsulated_pixel_data_without_sequence_delimiter() {
        byte[] whole = Part10Writer.explicit().usImage("1.2.3", 4, 4, 1, "MONOCHROME2")
                .encapsulated(List.of(Part10Writer.rleFrame(List.of(new byte[16])))).toPart10(Part10Writer.RLE, "1.2.3");
        byte[] cut = java.util.Arrays.copyOf(whole, whole.length - 8);
        assertThatThrownBy(() -> scanner.scan(ByteBuffer.wrap(cut)))
                .isInstanceOfSatisfying(DicomInputException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.TRUNCATED_PIXEL_DATA))
                .hasMessageContaining("without their sequence delimiter");
    }

    @Test
    void refuses_sequences_nested_deeper_than_the_limit() {
        Part10Writer inner = Part10Writer.item().string(0x0008, 0x0100, "SH", "X");
        for (int depth = 0; depth < 20; depth++) {
            inner = Part10Writer.item().sequence(0x0040, 0xA730, inner);
        }
        Part10Writer nested = inner;
        byte[] file = Part10Writer.explicit().string(0x0008, 0x0016, "UI", "1.2").sequence(0x0040, 0xA730, nested)
                .toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        assertThatThrownBy(() -> scanner.scan(ByteBuffer.wrap(file)))
                .isInstanceOfSatisfying(DicomInputException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_DATASET))
                .hasMessageContaining("nested deeper than 16");
    }

    @Test
    void rejects_a_file_without_the_part10_prefix() {
        assertThatThrownBy(() -> scanner.scan(ByteBuffer.wrap("not dicom at all".getBytes())))
                .isInstanceOfSatisfying(DicomInputException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.NOT_DICOM));
    }

    @Test
    void rejects_a_file_larger_than_the_limit() {
        DicomScanner small = new DicomScanner(new DicomLimits(1000, 1000, 10, 1000, 1000, 1000, 4));
        assertThatThrownBy(() -> small.scan(ByteBuffer.allocate(2000)))
                .isInstanceOfSatisfying(DicomInputException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.FILE_TOO_LARGE));
    }

    @Test
    void refuses_to_decode_more_frames_than_the_cap_before_allocating_them() {
        byte[] file = Part10Writer.explicit().usImage("1.2.3", 600, 800, 60000, "MONOCHROME2")
                .header(0x7FE0, 0x0010, "OB", 100).raw(new byte[100]).toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        assertThat(decoder.decode(ByteBuffer.wrap(file))).isInstanceOfSatisfying(DecodeOutcome.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TOO_LARGE_DECODED);
            assertThat(r.detail()).contains("60,000 frames");
        });
    }

    @Test
    void finds_native_and_encapsulated_pixel_data() throws Exception {
        byte[] nativeFile = Part10Writer.explicit().usImage("1.2.3", 2, 2, 1, "MONOCHROME2")
                .element(0x7FE0, 0x0010, "OB", new byte[] {1, 2, 3, 4}).toPart10(Part10Writer.EXPLICIT_LE, "1.2.3");
        ScannedObject scanned = scanner.scan(ByteBuffer.wrap(nativeFile));
        assertThat(scanned.transferSyntax()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        assertThat(scanned.metaSopInstanceUid()).isEqualTo("1.2.3");
        assertThat(scanned.pixelData()).isInstanceOfSatisfying(PixelDataLocation.Native.class, p -> assertThat(p.length()).isEqualTo(4));

        byte[] rleFile = Part10Writer.explicit().usImage("1.2.3", 2, 2, 2, "MONOCHROME2")
                .encapsulated(List.of(new byte[64], new byte[64])).toPart10(Part10Writer.RLE, "1.2.3");
        assertThat(scanner.scan(ByteBuffer.wrap(rleFile)).pixelData())
                .isInstanceOfSatisfying(PixelDataLocation.Encapsulated.class, p -> assertThat(p.items()).hasSize(3));
    }
}
