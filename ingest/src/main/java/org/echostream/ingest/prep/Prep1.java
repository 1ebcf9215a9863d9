package org.echostream.ingest.prep;

import java.util.ArrayList;
import java.util.List;
import org.echostream.ingest.dicom.GrayLoop;
import org.echostream.ingest.dicom.InstanceAttributes;

/**
 * Preprocessing "prep-1" (docs/onnx-contract.md of the model; reference model/echomodel/prep.py): resample in time to
 * the model's rate by the nearest source frame, crop to the imaging region, zero everything outside the
 * sector, resize with aspect kept by area averaging, letterbox, cut clips of the model's length at the
 * model's stride (full windows only). Input is already one grey channel (see the decoder for colour).
 */
public final class Prep1 {

    public static final String VERSION = "prep-1";
    /** Heart Rate values outside this range (bpm) are not trusted; the loop's periodicity is used instead. */
    private static final double MIN_BPM = 30;
    private static final double MAX_BPM = 200;

    /**
     * @param region   how a region is found when the Sequence of Ultrasound Regions gives none
     * @param minClips clips a loop must yield to be scored (2: one clip and the next that it predicts)
     */
    public record Settings(RegionFinder.Settings region, int minClips) {
    }

    /** The outcome for one loop. */
    public sealed interface Result {
        record Prepared(PreparedLoop loop) implements Result {
        }

        record NotScored(NotScoredReason reason, String detail) implements Result {
        }
    }

    private Prep1() {
    }

    public static Result prepare(GrayLoop loop, InstanceAttributes attributes, ClipShape shape, Settings settings) {
        FrameTiming timing = FrameTiming.of(attributes.timing(), loop.frames());
        if (timing == null) {
            return new Result.NotScored(NotScoredReason.NO_FRAME_TIMING,
                    "no Frame Time Vector, Frame Time, Cine Rate or Recommended Display Frame Rate times the " + loop.frames() + " frames");
        }
        int[] sourceIndices = TemporalResampler.sourceIndices(timing.seconds(), shape.fps());
        int clipCount = sourceIndices.length < shape.frames() ? 0 : (sourceIndices.length - shape.frames()) / shape.strideFrames() + 1;
        if (clipCount < settings.minClips()) {
            return new Result.NotScored(NotScoredReason.TOO_FEW_FRAMES, String.format(
                    "%d frames over %.2f s give %d frames at %s fps, %d clip(s) of %d at stride %d; scoring needs %d clips",
                    loop.frames(), timing.lastSecond(), sourceIndices.length, trim(shape.fps()), clipCount, shape.frames(),
                    shape.strideFrames(), settings.minClips()));
        }
        RegionFinder.Result found = RegionFinder.find(attributes.regions(), loop, settings.region());
        if (found instanceof RegionFinder.Result.NoMotion noMotion) {
            return new Result.NotScored(NotScoredReason.NO_MOTION, noMotion.detail());
        }
        CropRegion region = ((RegionFinder.Result.Found) found).region();
        Letterbox box = Letterbox.fit(region.height(), region.width(), shape.height(), shape.width());
        byte[] resampled = cropMaskResize(loop, region, sourceIndices, shape, box);
        List<PreparedLoop.ClipWindow> clips = new ArrayList<>(clipCount);
        int clipBytes = shape.frames() * shape.pixelsPerFrame();
        for (int k = 0; k < clipCount; k++) {
            int first = k * shape.strideFrames();
            int[] sources = new int[shape.frames()];
            double[] times = new double[shape.frames()];
            for (int i = 0; i < shape.frames(); i++) {
                sources[i] = sourceIndices[first + i];
                times[i] = (first + i) / shape.fps();
            }
            byte[] pixels = new byte[clipBytes];
            System.arraycopy(resampled, first * shape.pixelsPerFrame(), pixels, 0, clipBytes);
            clips.add(new PreparedLoop.ClipWindow(k, first, sources, times, pixels));
        }
        return new Result.Prepared(new PreparedLoop(timing, region, box, sourceIndices, heartRate(loop, attributes, region, timing), clips));
    }

    /** Steps 4-6 for every resampled frame: crop, zero outside the sector (> 0 in some resampled frame), resize. */
    private static byte[] cropMaskResize(GrayLoop loop, CropRegion region, int[] sourceIndices, ClipShape shape, Letterbox box) {
        int h = region.height();
        int w = region.width();
        boolean[] inside = new boolean[h * w];
        for (int source : sourceIndices) {
            int base = source * loop.frameSize();
            for (int r = 0; r < h; r++) {
                int row = base + (region.y() + r) * loop.columns() + region.x();
                for (int c = 0; c < w; c++) {
                    if (loop.pixels()[row + c] != 0 && region.inSector(r, c)) {
                        inside[r * w + c] = true;
                    }
                }
            }
        }
        AreaResizer resizer = new AreaResizer(h, w, box.resizedHeight(), box.resizedWidth());
        byte[] out = new byte[sourceIndices.length * shape.pixelsPerFrame()];
        double[] crop = new double[h * w];
        for (int j = 0; j < sourceIndices.length; j++) {
            int base = sourceIndices[j] * loop.frameSize();
            for (int r = 0; r < h; r++) {
                int row = base + (region.y() + r) * loop.columns() + region.x();
                for (int c = 0; c < w; c++) {
                    crop[r * w + c] = inside[r * w + c] ? loop.pixels()[row + c] & 0xFF : 0.0;
                }
            }
            resizer.resize(crop, out, j * shape.pixelsPerFrame(), shape.width(), box.padY(), box.padX());
        }
        return out;
    }

    private static PreparedLoop.HeartRate heartRate(GrayLoop loop, InstanceAttributes attributes, CropRegion region, FrameTiming timing) {
        Double bpm = attributes.heartRate();
        if (bpm != null && bpm >= MIN_BPM && bpm <= MAX_BPM) {
            return new PreparedLoop.HeartRate(bpm, "HeartRate");
        }
        Double rr = HeartRateEstimator.rrSeconds(loop, region, timing.seconds());
        return rr == null || rr <= 0 ? null : new PreparedLoop.HeartRate(60.0 / rr, "ESTIMATED");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
