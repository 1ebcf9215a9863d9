package org.echostream.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.echostream.dicom.net.testing.Dcmtk;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed frames decode to the grey levels of the same frames decompressed by dcmtk (dcmdrle, dcmdjpeg)
 * and then read uncompressed: exactly for lossless codecs, within the rounding of two IDCTs for lossy JPEG.
 */
class DcmtkParityTest {

    private final DicomDecoder decoder = new PixelMedDicomDecoder(TestFiles.LIMITS);

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"samples/US-PAL-8-10x-echo.dcm", "samples/OBXXXX1A_rle_2frame.dcm", "pydicom/SC_rgb_rle.dcm",
            "pydicom/SC_rgb_rle_16bit_2frame.dcm", "pydicom/MR_small_RLE.dcm"})
    void rle_frames_equal_dcmdrle_output(String name) throws IOException {
        Path source = resolve(name);
        assertThat(decodeThrough("dcmdrle", source)).isEqualTo(gray(source));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pydicom/SC_rgb_jpeg_gdcm.dcm"})
    void lossless_jpeg_frames_equal_dcmdjpeg_output(String name) throws IOException {
        Path source = resolve(name);
        assertThat(decodeThrough("dcmdjpeg", source)).isEqualTo(gray(source));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pydicom/SC_rgb_jpeg_dcmtk.dcm", "pydicom/SC_rgb_dcmtk_+eb+cy+np.dcm", "pydicom/SC_rgb_dcmtk_+eb+cy+s2.dcm",
            "pydicom/SC_rgb_dcmtk_+eb+cr.dcm", "pydicom/SC_jpeg_no_color_transform.dcm", "pydicom/SC_rgb_small_odd_jpeg.dcm"})
    void lossy_jpeg_frames_match_dcmdjpeg_output_up_to_colour_conversion_rounding(String name) throws IOException {
        Path source = resolve(name);
        byte[] reference = decodeThrough("dcmdjpeg", source);
        byte[] ours = gray(source);
        assertThat(ours).hasSameSizeAs(reference);
        int worst = 0;
        long sum = 0;
        for (int i = 0; i < ours.length; i++) {
            int d = Math.abs((ours[i] & 0xFF) - (reference[i] & 0xFF));
            worst = Math.max(worst, d);
            sum += d;
        }
        // dcmdjpeg turns YCbCr into RGB (upsampling chroma, clamping at 0 and 255) before our luma is taken; we take Y
        // itself. Saturated colour edges of these test charts differ by up to 8 levels; the images agree on average.
        assertThat((double) sum / ours.length).as("mean grey-level difference").isLessThanOrEqualTo(0.5);
        assertThat(worst).as("largest grey-level difference").isLessThanOrEqualTo(10);
    }

    private byte[] decodeThrough(String tool, Path source) throws IOException {
        Path out = temp.resolve(tool + "-" + source.getFileName());
        Dcmtk.Result r = Dcmtk.run(List.of(tool, source.toString(), out.toString()));
        assertThat(r.exitCode()).as(tool + " " + source + ": " + r.output()).isZero();
        return gray(out);
    }

    private byte[] gray(Path file) {
        DecodeOutcome outcome = decoder.decode(TestFiles.read(file));
        assertThat(outcome).as(file + " " + outcome).isInstanceOf(DecodeOutcome.Decoded.class);
        return ((DecodeOutcome.Decoded) outcome).loop().pixels();
    }

    private static Path resolve(String name) {
        Path path = name.startsWith("samples/") ? TestFiles.SAMPLES.resolve(name.substring(8)) : TestFiles.PYDICOM.resolve(name.substring(8));
        assertThat(Files.exists(path)).as(path.toString()).isTrue();
        return path;
    }
}
