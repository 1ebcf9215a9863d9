package org.echostream.embedder;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;

/**
 * Clips shaped for the tiny test model (src/test/resources/tiny-model: 4 frames of 16 x 16, prep-test),
 * with seeded random pixels so that every clip is different and reproducible.
 */
public final class TestClips {

    public static final Path TINY_MODEL = Path.of("src/test/resources/tiny-model");

    /** The pin of the release in {@code modelDir} as it is now, for tests about something other than the pin. */
    public static String pinOf(Path modelDir) {
        return org.echostream.contracts.model.ModelManifest.sha256(modelDir.resolve("manifest.json"));
    }
    public static final int FRAMES = 4;
    public static final int SIZE = 16;
    public static final String PREPROCESSING = "prep-test";
    public static final Instant T0 = Instant.parse("2026-11-21T10:15:30Z");

    private TestClips() {
    }

    public static Clip.Builder builder(String series, int clipIndex, long seed) {
        byte[] pixels = new byte[FRAMES * SIZE * SIZE];
        new Random(seed).nextBytes(pixels);
        return Clip.newBuilder()
                .setRef(new ClipRef("1.2.826.0.1.3680043.8.498.9", series, series + ".1", clipIndex, FRAMES * clipIndex, FRAMES,
                        clipIndex * FRAMES / 12.0, (clipIndex * FRAMES + FRAMES - 1) / 12.0))
                .setClipsInLoop(4).setFps(12.0)
                .setFrameTimestamps(timestamps(clipIndex)).setSourceFrameIndices(List.of(0, 1, 2, 3))
                .setHeartRateBpm(60.0 + seed % 40).setHeartRateSource("HeartRate")
                .setFrames(FRAMES).setHeight(SIZE).setWidth(SIZE).setPixels(ByteBuffer.wrap(pixels))
                .setCrop(new CropGeometry(new PixelRegion(10, 20, 300, 200), RegionSource.ULTRASOUND_REGIONS, 0.05, 0, 3, 640, 480))
                .setPreprocessingVersion(PREPROCESSING).setModelName("echostream-tiny-test").setModelVersion("0.0.1-test")
                .setSpoolUri(null).setCreatedAt(T0);
    }

    public static Clip clip(String series, int clipIndex, long seed) {
        return builder(series, clipIndex, seed).build();
    }

    /** Every pixel the same: the tiny model's encoder divides by a zero standard deviation and gives NaN. */
    public static Clip uniform(String series, int clipIndex) {
        return builder(series, clipIndex, 1).setPixels(ByteBuffer.wrap(new byte[FRAMES * SIZE * SIZE])).build();
    }

    /** Copies the clip's pixels as uint8 / 255 floats, the encoder's input for one clip. */
    public static float[] unitPixels(Clip clip) {
        ByteBuffer pixels = clip.getPixels().duplicate();
        float[] out = new float[pixels.remaining()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels.get() & 0xff) / 255f;
        }
        return out;
    }

    private static List<Double> timestamps(int clipIndex) {
        List<Double> t = new ArrayList<>();
        for (int f = 0; f < FRAMES; f++) {
            t.add((clipIndex * FRAMES + f) / 12.0);
        }
        return t;
    }
}
