package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.echostream.ingest.dicom.DecodeOutcome;
import org.echostream.ingest.dicom.PixelMedDicomDecoder;
import org.echostream.ingest.testing.SyntheticEcho;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;

class Prep1Test {

    private static final Prep1.Settings SETTINGS = new Prep1.Settings(new RegionFinder.Settings(10, 0.01), 2);
    private final PixelMedDicomDecoder decoder = new PixelMedDicomDecoder(TestFiles.LIMITS);

    @Test
    void cuts_a_loop_into_full_clips_at_the_models_rate_and_size() {
        // 4 s at 25 fps resampled to 12 fps: 49 frames -> clips [0,16) [16,32) [32,48)
        SyntheticEcho echo = new SyntheticEcho(120, 160, 101, 40, 0.8);
        Prep1.Result result = prepare(echo.toPart10("1.2.3.4", true, false, 75));
        assertThat(result).isInstanceOf(Prep1.Result.Prepared.class);
        PreparedLoop loop = ((Prep1.Result.Prepared) result).loop();
        assertThat(loop.clips()).hasSize(3);
        PreparedLoop.ClipWindow second = loop.clips().get(1);
        assertThat(second.firstFrame()).isEqualTo(16);
        assertThat(second.pixels()).hasSize(16 * 64 * 64);
        assertThat(second.timestamps()[0]).isEqualTo(16 / 12.0);
        assertThat(second.sourceFrameIndices()[0]).isEqualTo(33); // 1.333 s -> 33 * 40 ms = 1.32 s
        assertThat(loop.timing().source()).isEqualTo("FrameTime");
        assertThat(loop.heartRate()).isEqualTo(new PreparedLoop.HeartRate(75, "HeartRate"));
    }

    @Test
    void zeroes_the_letterbox_bands_and_everything_outside_the_sector() {
        SyntheticEcho echo = new SyntheticEcho(120, 160, 101, 40, 0.8);
        PreparedLoop loop = ((Prep1.Result.Prepared) prepare(echo.toPart10("1.2.3.4", false, false, null))).loop();
        byte[] first = loop.clips().get(0).pixels();
        Letterbox box = loop.letterbox();
        assertThat(box.padY() + box.padX()).isPositive();
        int band = box.padY() > 0 ? 0 : 0; // first row or column of the band
        assertThat(first[band]).isZero();
        assertThat(first[63 * 64 + 63]).as("bottom-right corner, outside the fan").isZero();
        int centre = (box.padY() + box.resizedHeight() / 2) * 64 + box.padX() + box.resizedWidth() / 2;
        assertThat(first[centre] & 0xFF).as("centre of the fan").isPositive();
        assertThat(loop.heartRate().source()).isEqualTo("ESTIMATED");
        assertThat(loop.heartRate().bpm()).isCloseTo(75, org.assertj.core.data.Offset.offset(4.0));
    }

    @Test
    void a_loop_too_short_for_two_clips_is_not_scored_with_the_numbers() {
        Prep1.Result result = prepareFile(TestFiles.ECHO_CINE, TestFiles.shape());
        assertThat(result).isInstanceOfSatisfying(Prep1.Result.NotScored.class, n -> {
            assertThat(n.reason()).isEqualTo(NotScoredReason.TOO_FEW_FRAMES);
            assertThat(n.detail()).contains("10 frames over 0.68 s give 9 frames at 12 fps, 0 clip(s) of 16");
        });
    }

    @Test
    void the_real_echo_cine_gives_clips_for_a_short_clip_model() {
        Prep1.Result result = prepareFile(TestFiles.ECHO_CINE, TestFiles.shortShape());
        assertThat(result).isInstanceOfSatisfying(Prep1.Result.Prepared.class, p -> {
            assertThat(p.loop().clips()).hasSize(2);
            assertThat(p.loop().region().source()).isEqualTo(org.echostream.contracts.RegionSource.DETECTED);
        });
    }

    private Prep1.Result prepare(byte[] file) {
        DecodeOutcome.Decoded decoded = (DecodeOutcome.Decoded) decoder.decode(ByteBuffer.wrap(file));
        return Prep1.prepare(decoded.loop(), decoded.attributes(), TestFiles.shape(), SETTINGS);
    }

    private Prep1.Result prepareFile(java.nio.file.Path file, ClipShape shape) {
        DecodeOutcome.Decoded decoded = (DecodeOutcome.Decoded) decoder.decode(TestFiles.read(file));
        return Prep1.prepare(decoded.loop(), decoded.attributes(), shape, SETTINGS);
    }
}
