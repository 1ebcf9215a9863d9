package org.echostream.anomaly.testing;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.InferenceTiming;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.model.ModelManifest;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;
import org.echostream.contracts.TokenEncoding;
import org.echostream.contracts.tensor.TokenCodec;

/**
 * Latents as the embedder would publish them, made up: each clip's observed tokens are Gaussian, and the
 * prediction made from clip k for clip k+1 is clip k+1's observed tokens plus Gaussian noise whose size
 * the test chooses per clip (normal noise, or surprising noise over the whole grid or a box of it). The
 * calibration of {@link SyntheticRelease} is measured on the same process with normal noise, so
 * "surprising" means what it means for the real model: unlike normal loops.
 */
public final class SyntheticLatents {

    public static final String MODEL_NAME = "echostream-test-tiny";
    public static final String MODEL_VERSION = "1.0.0";
    public static final String PREPROCESSING = "prep-1";
    /** [time slots, rows, columns]: 2 x 4 x 4 = 32 tokens of 16 values. */
    public static final List<Integer> GRID = List.of(2, 4, 4);
    public static final int DIM = 16;
    public static final int TOKENS = 32;
    public static final int FRAMES = 16;
    public static final double FPS = 12.0;
    public static final double NORMAL_NOISE = 0.3;
    public static final double SURPRISING_NOISE = 0.9;
    public static final int CLIP_HEIGHT = 64;
    public static final int CLIP_WIDTH = 64;
    public static final Instant T0 = Instant.parse("2026-11-21T09:00:00Z");

    /** Stand-ins for the ONNX files, written into every synthetic release so their sha256 can be checked. */
    public static final byte[] ENCODER_BYTES = "synthetic encoder".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    public static final byte[] PREDICTOR_BYTES = "synthetic predictor".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** As the embedder writes it: the encoder and predictor by sha256, no calibration (latents are not scored yet). */
    public static final ModelRef MODEL = new ModelRef(MODEL_NAME, MODEL_VERSION, ModelManifest.sha256(ENCODER_BYTES),
            ModelManifest.sha256(PREDICTOR_BYTES), null);

    /** 500 x 380 px imaging region at (60, 40) of a 640 x 480 frame, letterboxed into 64 x 64. */
    public static final CropGeometry CROP = new CropGeometry(new PixelRegion(60, 40, 500, 380), RegionSource.ULTRASOUND_REGIONS,
            64.0 / 500, 0, 7, 640, 480);

    private SyntheticLatents() {
    }

    /** Which tokens of a clip get the surprising noise: a box of grid rows and columns, all time slots. */
    public record Box(int rowStart, int rowEnd, int colStart, int colEnd) {
        public static final Box WHOLE = new Box(0, GRID.get(1) - 1, 0, GRID.get(2) - 1);

        boolean contains(int token) {
            int cell = token % (GRID.get(1) * GRID.get(2));
            int row = cell / GRID.get(2);
            int col = cell % GRID.get(2);
            return row >= rowStart && row <= rowEnd && col >= colStart && col <= colEnd;
        }
    }

    /** A loop to generate: its identity, clip count and which clips' predictions miss (and where). */
    public static final class Loop {
        final String study;
        final String series;
        final String sop;
        final int clips;
        final long seed;
        final boolean[] surprising;
        Box box = Box.WHOLE;
        TokenEncoding encoding = TokenEncoding.FLOAT16;
        double shift;
        double normalNoise = NORMAL_NOISE;

        public Loop(String study, String series, String sop, int clips, long seed) {
            this.study = study;
            this.series = series;
            this.sop = sop;
            this.clips = clips;
            this.seed = seed;
            this.surprising = new boolean[clips];
        }

        /** The observed clips with these indices come out unlike their predictions. */
        public Loop surprising(int... clipIndices) {
            for (int i : clipIndices) {
                surprising[i] = true;
            }
            return this;
        }

        public Loop in(Box where) {
            this.box = where;
            return this;
        }

        /**
         * Noise of the unsurprising predictions. Below {@link #NORMAL_NOISE} the quiet clips stay clear of the
         * threshold, for tests of the rule's edges that must not hinge on a normal clip landing in the 1% tail.
         */
        public Loop quietNoise(double sigma) {
            this.normalNoise = sigma;
            return this;
        }

        public Loop encoded(TokenEncoding tokenEncoding) {
            this.encoding = tokenEncoding;
            return this;
        }

        /**
         * Moves every observed token by this much along a fixed direction (+ on the first half of the dimensions,
         * - on the second; a uniform shift would vanish in the layer norm): the pooled embedding leaves the
         * normal cloud while predictions still match.
         */
        public Loop shifted(double amount) {
            this.shift = amount;
            return this;
        }

        public List<ClipLatents> build() {
            Random random = new Random(seed);
            List<float[]> observed = new ArrayList<>();
            for (int k = 0; k < clips; k++) {
                observed.add(gaussian(random, TOKENS * DIM, 1.0, shift));
            }
            
            List<ClipLatents> out = new ArrayList<>();
            for (int k = 0; k < clips; k++) {
                float[] predicted;
                if (k + 1 < clips) {
                    predicted = observed.get(k + 1).clone();
                    for (int n = 0; n < TOKENS; n++) {
                        double sigma = surprising[k + 1] && box.contains(n) ? SURPRISING_NOISE : normalNoise;
                        for (int d = 0; d < DIM; d++) {
                            predicted[n * DIM + d] += (float) (random.nextGaussian() * sigma);
                        }
                    }
                } else {
                    predicted = gaussian(random, TOKENS * DIM, 1.0, 0);
                }
                out.add(clip(this, k, observed.get(k), predicted));
            }
            return out;
        }
    }

    public static Loop loop(String series, String sop, int clips, long seed) {
        return new Loop("1.2.826.0.1.3680043.8.498.7", series, sop, clips, seed);
    }

    static ClipLatents clip(Loop loop, int k, float[] observed, float[] predicted) {
        double start = k * FRAMES / FPS;
        return ClipLatents.newBuilder()
                .setRef(new ClipRef(loop.study, loop.series, loop.sop, k, k * FRAMES, FRAMES, start, start + (FRAMES - 1) / FPS))
                .setClipsInLoop(loop.clips).setTokenGrid(GRID).setLatentDim(DIM).setTokenEncoding(loop.encoding)
                .setObservedTokens(TokenCodec.encode(observed, loop.encoding))
                .setPooledEmbedding(pooled(observed))
                .setPredictedFirstFrame((k + 1) * FRAMES)
                .setPredictedTokens(TokenCodec.encode(predicted, loop.encoding))
                .setFps(FPS).setHeartRateBpm(72.0).setCrop(CROP).setModel(MODEL).setPreprocessingVersion(PREPROCESSING)
                .setTiming(new InferenceTiming(1, 1.0, 1.0, "CPU")).setProducedAt(T0)
                .build();
    }

    static float[] gaussian(Random random, int count, double sigma, double shift) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            double direction = (i % DIM) < DIM / 2 ? 1 : -1;
            out[i] = (float) (random.nextGaussian() * sigma + shift * direction);
        }
        return out;
    }

    /** The ONNX contract's pooled embedding: mean over tokens of LN(tokens), eps 1e-5. */
    static List<Float> pooled(float[] tokens) {
        double[] sum = new double[DIM];
        for (int n = 0; n < TOKENS; n++) {
            double mean = 0;
            for (int d = 0; d < DIM; d++) {
                mean += tokens[n * DIM + d];
            }
            mean /= DIM;
            double var = 0;
            for (int d = 0; d < DIM; d++) {
                double v = tokens[n * DIM + d] - mean;
                var += v * v;
            }
            double inv = 1 / Math.sqrt(var / DIM + 1e-5);
            for (int d = 0; d < DIM; d++) {
                sum[d] += (tokens[n * DIM + d] - mean) * inv;
            }
        }
        List<Float> out = new ArrayList<>();
        for (double s : sum) {
            out.add((float) (s / TOKENS));
        }
        return out;
    }

    /** Bytes of a token tensor, for tests that need to break one. */
    public static ByteBuffer bytes(float[] values, TokenEncoding encoding) {
        return TokenCodec.encode(values, encoding);
    }
}
