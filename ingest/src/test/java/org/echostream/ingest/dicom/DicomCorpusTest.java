package org.echostream.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vendor sample and every file of Debian's pydicom test set is either decoded, with the frame count
 * and size dcmtk's dcmdump reads, or rejected with a reason a person can act on.
 */
class DicomCorpusTest {

    private final DicomDecoder decoder = new PixelMedDicomDecoder(TestFiles.LIMITS);

    static Stream<Path> corpus() {
        List<Path> files = new ArrayList<>(TestFiles.sampleFiles());
        files.addAll(TestFiles.list(TestFiles.PYDICOM));
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void decodes_with_dcmdumps_frame_count_and_size_or_rejects_with_a_reason(Path file) {
        DecodeOutcome outcome = decoder.decode(TestFiles.read(file));
        if (outcome instanceof DecodeOutcome.Decoded decoded) {
            Dcmtk.ImageSize reference = Dcmtk.size(file);
            assertThat(reference).as("dcmdump reads an image in %s", file).isNotNull();
            GrayLoop loop = decoded.loop();
            assertThat(new Dcmtk.ImageSize(loop.frames(), loop.rows(), loop.columns())).isEqualTo(reference);
        } else if (outcome instanceof DecodeOutcome.Rejected rejected) {
            assertThat(rejected.reason()).as("%s: %s", file, rejected.detail()).isNotEqualTo(RejectReason.DECODER_FAILURE);
            assertThat(rejected.detail()).isNotBlank();
        } else {
            assertThat(((DecodeOutcome.WithoutPixels) outcome).attributes()).isNotNull();
        }
    }

    @Test
    void decodes_every_vendor_ultrasound_sample() {
        for (Path file : TestFiles.sampleFiles()) {
            assertThat(decoder.decode(TestFiles.read(file))).as(file.toString()).isInstanceOf(DecodeOutcome.Decoded.class);
        }
    }

    @Test
    void rejects_known_bad_and_unsupported_files_with_their_reason() {
        assertThat(reasonOf("MR_truncated.dcm")).isEqualTo(RejectReason.TRUNCATED_PIXEL_DATA);
        assertThat(reasonOf("MR_small_jpeg_ls_lossless.dcm")).isEqualTo(RejectReason.UNSUPPORTED_TRANSFER_SYNTAX);
        assertThat(reasonOf("README.txt")).isEqualTo(RejectReason.NOT_DICOM);
        assertThat(reasonOf("no_meta.dcm")).isEqualTo(RejectReason.NOT_DICOM);
        assertThat(reasonOf("JPEG-lossy.dcm")).isEqualTo(RejectReason.UNSUPPORTED_PIXEL_FORMAT);
        assertThat(reasonOf("SC_rgb_rle_32bit.dcm")).isEqualTo(RejectReason.UNSUPPORTED_PIXEL_FORMAT);
    }

    @Test
    void the_same_image_gives_the_same_grey_levels_in_every_encoding() {
        // pydicom's MR_small in six transfer syntaxes, and GE's US1 uncompressed and as JPEG 2000 (YBR_RCT)
        byte[] reference = gray(TestFiles.PYDICOM.resolve("MR_small.dcm"));
        for (String variant : List.of("MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_expb.dcm", "MR_small_RLE.dcm",
                "MR_small_jp2klossless.dcm", "MR_small_padded.dcm")) {
            assertThat(gray(TestFiles.PYDICOM.resolve(variant))).as(variant).isEqualTo(reference);
        }
        assertThat(gray(TestFiles.SAMPLES.resolve("US1_J2KR.dcm"))).isEqualTo(gray(TestFiles.SAMPLES.resolve("US1_UNCR.dcm")));
        assertThat(gray(TestFiles.PYDICOM.resolve("SC_rgb_rle_16bit.dcm"))).isEqualTo(gray(TestFiles.PYDICOM.resolve("SC_rgb_rle.dcm")));
    }

    private RejectReason reasonOf(String name) {
        DecodeOutcome outcome = decoder.decode(TestFiles.read(TestFiles.PYDICOM.resolve(name)));
        assertThat(outcome).as(name).isInstanceOf(DecodeOutcome.Rejected.class);
        return ((DecodeOutcome.Rejected) outcome).reason();
    }

    private byte[] gray(Path file) {
        DecodeOutcome outcome = decoder.decode(TestFiles.read(file));
        assertThat(outcome).as(file.toString()).isInstanceOf(DecodeOutcome.Decoded.class);
        return ((DecodeOutcome.Decoded) outcome).loop().pixels();
    }
}
