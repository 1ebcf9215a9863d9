package org.echostream.anomaly.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.echostream.anomaly.scoring.CalibrationLoader;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.scoring.ModelRelease;
import org.echostream.anomaly.scoring.NormativeFeatures;
import org.echostream.anomaly.scoring.NormativeModel;
import org.echostream.anomaly.scoring.Surprise;

/**
 * A model release folder (manifest.json + calibration.json with its sha256) for the synthetic model of
 * {@link SyntheticLatents}. The calibration is measured, not typed in: surprise of held-out "normal" pairs
 * (prediction = next clip + normal noise), per clip and per token, and the normative distances of their
 * latent features, in the layout the model release writes (model/echomodel/evaluate.py); no series section unless
 * {@link #withCombinedSeriesRule} adds one.
 */
public final class SyntheticRelease {

    public static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.995, 0.999};
    private static final int NORMAL_PAIRS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double LN_EPS = 1e-5;
    /** The release's normative features: pooled embedding and latent motion map. */
    private static final NormativeFeatures FEATURES = NormativeFeatures.POOLED_AND_MOTION;
    private static ObjectNode measured;

    private SyntheticRelease() {
    }

    /** Writes the release into {@code dir} and returns it. */
    public static Path write(Path dir) {
        return write(dir, calibration());
    }

    public static Path write(Path dir, ObjectNode calibration) {
        try {
            Files.createDirectories(dir);
            byte[] calibrationBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(calibration);
            Files.write(dir.resolve(CalibrationLoader.CALIBRATION), calibrationBytes);
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("name", SyntheticLatents.MODEL_NAME);
            manifest.put("version", SyntheticLatents.MODEL_VERSION);
            manifest.put("preprocessingVersion", SyntheticLatents.PREPROCESSING);
            ObjectNode clip = manifest.putObject("clip");
            clip.put("frames", SyntheticLatents.FRAMES).put("height", SyntheticLatents.CLIP_HEIGHT)
                    .put("width", SyntheticLatents.CLIP_WIDTH).put("channels", 1).put("fps", SyntheticLatents.FPS)
                    .put("horizonFrames", SyntheticLatents.FRAMES);
            ObjectNode tokens = manifest.putObject("tokens");
            ArrayNode grid = tokens.putArray("grid");
            SyntheticLatents.GRID.forEach(grid::add);
            tokens.putArray("tubelet").add(8).add(16).add(16);
            tokens.put("dim", SyntheticLatents.DIM).put("order", "time-row-column");
            ObjectNode files = manifest.putObject("files");
            files.putObject(CalibrationLoader.CALIBRATION).put("sha256", sha256(calibrationBytes)).put("bytes", calibrationBytes.length);
            Files.write(dir.resolve(ModelRelease.ENCODER), SyntheticLatents.ENCODER_BYTES);
            files.putObject(ModelRelease.ENCODER).put("sha256", sha256(SyntheticLatents.ENCODER_BYTES))
                    .put("bytes", SyntheticLatents.ENCODER_BYTES.length);
            Files.write(dir.resolve(ModelRelease.PREDICTOR), SyntheticLatents.PREDICTOR_BYTES);
            files.putObject(ModelRelease.PREDICTOR).put("sha256", sha256(SyntheticLatents.PREDICTOR_BYTES))
                    .put("bytes", SyntheticLatents.PREDICTOR_BYTES.length);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CalibrationLoader.MANIFEST).toFile(), manifest);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pin of the release in {@code dir} as it is now (sha256 of its manifest), for tests about something else. */
    public static String pinOf(Path dir) {
        return org.echostream.contracts.model.ModelManifest.sha256(dir.resolve(CalibrationLoader.MANIFEST));
    }

    /** The release already in {@code dir}, loaded the way the service loads it, pinned to its own manifest. */
    public static ModelCalibration loadPinned(Path dir, double thresholdQuantile) {
        return CalibrationLoader.load(dir, java.nio.file.Files.isRegularFile(dir.resolve(CalibrationLoader.MANIFEST)) ? pinOf(dir)
                : "0".repeat(64), thresholdQuantile);
    }

    /** The release in {@code dir}, loaded the way the service loads it. */
    public static ModelCalibration.Calibrated load(Path dir, double thresholdQuantile) {
        ModelCalibration calibration = loadPinned(write(dir), thresholdQuantile);
        if (calibration instanceof ModelCalibration.Calibrated calibrated) {
            return calibrated;
        }
        throw new AssertionError("synthetic release not calibrated: " + calibration);
    }

    /** A fresh copy of the measured calibration, for tests that change a part of it. */
    public static synchronized ObjectNode calibration() {
        if (measured == null) {
            measured = measure();
        }
        return measured.deepCopy();
    }

    private static ObjectNode measure() {
        int tokens = SyntheticLatents.TOKENS;
        int dim = SyntheticLatents.DIM;
        Random random = new Random(20261121);
        double[] clipSurprise = new double[NORMAL_PAIRS];
        double[] tokenSurprise = new double[NORMAL_PAIRS * tokens];
        double[][] features = new double[NORMAL_PAIRS][];
        for (int i = 0; i < NORMAL_PAIRS; i++) {
            float[] observed = SyntheticLatents.gaussian(random, tokens * dim, 1.0, 0);
            Surprise s = Surprise.between(normalPrediction(random, observed), observed, tokens, dim, LN_EPS);
            clipSurprise[i] = s.clip();
            for (int n = 0; n < tokens; n++) {
                tokenSurprise[i * tokens + n] = s.perToken()[n];
            }
            features[i] = FEATURES.of(observed, SyntheticLatents.GRID, dim, LN_EPS);
        }
        int f = features[0].length;
        double[] mean = new double[f];
        double[] std = new double[f];
        for (double[] e : features) {
            for (int d = 0; d < f; d++) {
                mean[d] += e[d] / NORMAL_PAIRS;
            }
        }
        for (double[] e : features) {
            for (int d = 0; d < f; d++) {
                std[d] += (e[d] - mean[d]) * (e[d] - mean[d]) / NORMAL_PAIRS;
            }
        }
        for (int d = 0; d < f; d++) {
            std[d] = Math.sqrt(std[d]);
        }
        double[] distances = new double[NORMAL_PAIRS];
        for (int i = 0; i < NORMAL_PAIRS; i++) {
            distances[i] = diagonalDistance(features[i], mean, std);
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("placeholder", false);
        root.put("note", "measured on " + NORMAL_PAIRS + " synthetic normal pairs by SyntheticRelease");
        ObjectNode surprise = root.putObject("surprise");
        surprise.put("ln_eps", LN_EPS);
        surprise.put("clip_rule", "S_k = mean over the tokens of clip pair k");
        surprise.set("per_clip", distribution(clipSurprise));
        surprise.set("per_token", distribution(tokenSurprise));
        ObjectNode normative = root.putObject("normative");
        normative.put("features", "concat(pooled embedding, latent motion map)");
        ArrayNode meanNode = normative.putArray("mean");
        Arrays.stream(mean).forEach(meanNode::add);
        ArrayNode stdNode = normative.putArray("std");
        Arrays.stream(std).forEach(stdNode::add);
        normative.set("per_clip", distribution(distances));
        return root;
    }

    /**
     * Adds the release's series section: the mean clip surprise and mean normative distance of simulated
     * normal series of {@code clips} clips, and the {@code combined} rule's threshold at the
     * {@code 1 - falseAlarmRate} quantile of normal series.
     */
    public static ObjectNode withCombinedSeriesRule(ObjectNode calibration, int clips, double falseAlarmRate) {
        ModelCalibration.Calibrated model = parse(calibration);
        NormativeModel normative = model.normative().orElseThrow();
        Random random = new Random(7);
        int seriesCount = 600;
        double[] meanS = new double[seriesCount];
        double[] meanN = new double[seriesCount];
        for (int i = 0; i < seriesCount; i++) {
            float[] observed = SyntheticLatents.gaussian(random, SyntheticLatents.TOKENS * SyntheticLatents.DIM, 1.0, 0);
            meanN[i] += normative.distance(FEATURES.of(observed, SyntheticLatents.GRID, SyntheticLatents.DIM, LN_EPS)) / clips;
            for (int k = 1; k < clips; k++) {
                float[] next = SyntheticLatents.gaussian(random, SyntheticLatents.TOKENS * SyntheticLatents.DIM, 1.0, 0);
                meanS[i] += Surprise.between(normalPrediction(random, next), next, SyntheticLatents.TOKENS, SyntheticLatents.DIM,
                        LN_EPS).clip() / (clips - 1);
                meanN[i] += normative.distance(FEATURES.of(next, SyntheticLatents.GRID, SyntheticLatents.DIM, LN_EPS)) / clips;
            }
        }
        ObjectNode surprise = distribution(meanS);
        ObjectNode normal = distribution(meanN);
        double[] combined = new double[seriesCount];
        for (int i = 0; i < seriesCount; i++) {
            combined[i] = (meanS[i] - surprise.get("mean").doubleValue()) / surprise.get("std").doubleValue()
                    + (meanN[i] - normal.get("mean").doubleValue()) / normal.get("std").doubleValue();
        }
        double[] sorted = combined.clone();
        Arrays.sort(sorted);
        ObjectNode copy = calibration.deepCopy();
        ObjectNode series = copy.putObject("series");
        series.set("surprise", surprise.put("rule", "mean over the series' clip pairs of S_k"));
        series.set("normative", normal.put("rule", "mean over the series' clips of the normative score"));
        ObjectNode operating = series.putObject("operating");
        operating.put("score", "combined");
        operating.put("threshold", sorted[(int) Math.floor((1 - falseAlarmRate) * (seriesCount - 1))]);
        operating.put("chosen_for", falseAlarmRate + " false alarms on " + seriesCount + " synthetic normal series of " + clips + " clips");
        return copy;
    }

    private static ModelCalibration.Calibrated parse(ObjectNode calibration) {
        ModelRelease release = new ModelRelease(SyntheticLatents.MODEL_NAME, SyntheticLatents.MODEL_VERSION,
                SyntheticLatents.PREPROCESSING, SyntheticLatents.GRID, SyntheticLatents.DIM, SyntheticLatents.CLIP_HEIGHT,
                SyntheticLatents.CLIP_WIDTH, SyntheticLatents.MODEL.getEncoderSha256(), SyntheticLatents.MODEL.getPredictorSha256(),
                "c".repeat(64));
        return (ModelCalibration.Calibrated) CalibrationLoader.parse(calibration, release, 0.99, "synthetic");
    }

    private static float[] normalPrediction(Random random, float[] next) {
        float[] predicted = next.clone();
        for (int v = 0; v < predicted.length; v++) {
            predicted[v] += (float) (random.nextGaussian() * SyntheticLatents.NORMAL_NOISE);
        }
        return predicted;
    }

    private static double diagonalDistance(double[] f, double[] mean, double[] std) {
        double d2 = 0;
        for (int d = 0; d < f.length; d++) {
            double z = (f[d] - mean[d]) / std[d];
            d2 += z * z;
        }
        return Math.sqrt(d2 / f.length);
    }

    private static ObjectNode distribution(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        ObjectNode node = JSON.createObjectNode();
        ObjectNode quantiles = node.putObject("quantiles");
        for (double q : QUANTILES) {
            quantiles.put(String.valueOf(q), sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        node.put("mean", mean);
        node.put("std", Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElseThrow()));
        return node;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
