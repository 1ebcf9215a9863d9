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
import java.util.List;
import java.util.Random;
import org.echostream.anomaly.scoring.CalibrationLoader;
import org.echostream.anomaly.scoring.ModelCalibration;
import org.echostream.anomaly.scoring.Surprise;

/**
 * A model release folder (manifest.json + calibration.json with its sha256) for the synthetic model of
 * {@link SyntheticLatents}. The calibration is measured, not typed in: surprise of held-out "normal" pairs
 * (prediction = next clip + normal noise), per clip and per token, and the distances of their pooled
 * embeddings, in the layout the model release writes.
 */
public final class SyntheticRelease {

    public static final double[] QUANTILES = {0.5, 0.9, 0.95, 0.99, 0.995, 0.999};
    private static final int NORMAL_PAIRS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();
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
            ObjectNode file = manifest.putObject("files").putObject(CalibrationLoader.CALIBRATION);
            file.put("sha256", sha256(calibrationBytes)).put("bytes", calibrationBytes.length);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(CalibrationLoader.MANIFEST).toFile(), manifest);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The release in {@code dir}, loaded the way the service loads it. */
    public static ModelCalibration.Calibrated load(Path dir, double thresholdQuantile) {
        ModelCalibration calibration = CalibrationLoader.load(write(dir), thresholdQuantile);
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
        double[][] pooled = new double[NORMAL_PAIRS][];
        for (int i = 0; i < NORMAL_PAIRS; i++) {
            float[] observed = SyntheticLatents.gaussian(random, tokens * dim, 1.0, 0);
            float[] predicted = observed.clone();
            for (int v = 0; v < predicted.length; v++) {
                predicted[v] += (float) (random.nextGaussian() * SyntheticLatents.NORMAL_NOISE);
            }
            Surprise s = Surprise.between(predicted, observed, tokens, dim, 1e-5);
            clipSurprise[i] = s.clip();
            for (int n = 0; n < tokens; n++) {
                tokenSurprise[i * tokens + n] = s.perToken()[n];
            }
            pooled[i] = SyntheticLatents.pooled(observed).stream().mapToDouble(Float::doubleValue).toArray();
        }
        double[] mean = new double[dim];
        double[] std = new double[dim];
        for (double[] e : pooled) {
            for (int d = 0; d < dim; d++) {
                mean[d] += e[d] / NORMAL_PAIRS;
            }
        }
        for (double[] e : pooled) {
            for (int d = 0; d < dim; d++) {
                std[d] += (e[d] - mean[d]) * (e[d] - mean[d]) / NORMAL_PAIRS;
            }
        }
        double[] distances = new double[NORMAL_PAIRS];
        for (int i = 0; i < NORMAL_PAIRS; i++) {
            double d2 = 0;
            for (int d = 0; d < dim; d++) {
                d2 += (pooled[i][d] - mean[d]) * (pooled[i][d] - mean[d]) / std[d];
            }
            distances[i] = Math.sqrt(d2);
        }
        for (int d = 0; d < dim; d++) {
            std[d] = Math.sqrt(std[d]);
        }

        ObjectNode root = JSON.createObjectNode();
        root.put("placeholder", false);
        root.put("note", "measured on " + NORMAL_PAIRS + " synthetic normal pairs by SyntheticRelease");
        ObjectNode surprise = root.putObject("surprise");
        surprise.put("ln_eps", 1e-5);
        surprise.set("per_clip", distribution(clipSurprise));
        surprise.set("per_token", distribution(tokenSurprise));
        ObjectNode normative = root.putObject("normative");
        ArrayNode meanNode = normative.putArray("mean");
        Arrays.stream(mean).forEach(meanNode::add);
        ArrayNode stdNode = normative.putArray("std");
        Arrays.stream(std).forEach(stdNode::add);
        normative.set("quantiles", distribution(distances).get("quantiles"));
        ObjectNode series = root.putObject("series");
        series.put("score", "robust mean of capped clip scores (docs/anomaly.md)");
        series.put("threshold", 1.0);
        return root;
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

    /** The calibrated token grid, for assertions. */
    public static List<Integer> grid() {
        return SyntheticLatents.GRID;
    }
}
