package org.echostream.anomaly.scoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.echostream.contracts.model.InvalidModelException;
import org.echostream.contracts.model.ModelManifest;

/**
 * Reads {@code calibration.json} of a model release after checking it against the manifest's sha256.
 *
 * <p>Tolerant by design, because the model release evolves separately: unknown keys are ignored, snake_case
 * and camelCase spellings are both read, and an optional part that is missing or incomplete (per-token
 * quantiles, the normative model, the series threshold) turns only that feature off, with a note for the log.
 * Only what scoring cannot do without (the per-clip median and threshold quantile) makes the release
 * {@link ModelCalibration.NotCalibrated}. A file that fails its checksum is never read: that is refused.
 */
public final class CalibrationLoader {

    public static final String MANIFEST = "manifest.json";
    public static final String CALIBRATION = "calibration.json";
    /** The ONNX contract's layer-norm epsilon, used when the calibration does not state its own. */
    static final double CONTRACT_LN_EPS = 1e-5;
    /** The one per-clip reduction the contract defines; a release that says otherwise needs a code change here. */
    static final String MEAN_OVER_TOKENS = "mean over tokens";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CalibrationLoader() {
    }

    /**
     * @param thresholdQuantile the normal quantile that scores 1.0 (configuration)
     * @throws InvalidModelException when the manifest is unreadable or a listed file fails its checksum
     */
    public static ModelCalibration load(Path modelDir, double thresholdQuantile) {
        Path manifestFile = modelDir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return new ModelCalibration.NotCalibrated("no model release in " + modelDir.toAbsolutePath() + ": " + MANIFEST + " is missing");
        }
        ModelManifest manifest = ModelManifest.read(manifestFile);
        if (!manifest.files().containsKey(CALIBRATION)) {
            return new ModelCalibration.NotCalibrated("model " + manifest.name() + " " + manifest.version() + " lists no "
                    + CALIBRATION + " in its manifest");
        }
        manifest.verify(modelDir);
        Path file = manifest.resolve(modelDir, CALIBRATION);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidModelException("model " + manifest.name() + " " + manifest.version() + ": " + file
                    + " is not readable JSON: " + e.getMessage(), e);
        }
        return parse(root, ModelRelease.of(manifest), thresholdQuantile, file.toString());
    }

    /** The calibration in {@code root}, for the release described by {@code release}. */
    public static ModelCalibration parse(JsonNode root, ModelRelease release, double thresholdQuantile, String source) {
        List<String> notes = new ArrayList<>();
        JsonNode surprise = field(root, "surprise");
        double lnEps = number(field(surprise, "ln_eps", "lnEps")).orElse(Double.NaN);
        if (Double.isNaN(lnEps)) {
            lnEps = CONTRACT_LN_EPS;
            notes.add(source + ": no surprise.ln_eps, using the ONNX contract's " + CONTRACT_LN_EPS);
        }
        String clipRule = text(field(surprise, "clip_rule", "clipRule"));
        if (clipRule != null && !clipRule.equalsIgnoreCase(MEAN_OVER_TOKENS)) {
            throw new InvalidModelException(source + ": surprise.clip_rule is '" + clipRule + "' but this service computes '"
                    + MEAN_OVER_TOKENS + "'; the calibration numbers would not describe its scores");
        }

        ScoreScale clipScale;
        try {
            clipScale = ScoreScale.fromQuantiles(source + " surprise.per_clip",
                    quantiles(field(field(surprise, "per_clip", "perClip"), "quantiles")), thresholdQuantile);
        } catch (IllegalArgumentException e) {
            String placeholder = root.path("placeholder").asBoolean(false) ? " (the release says it is a placeholder)" : "";
            return new ModelCalibration.NotCalibrated(release + ": " + e.getMessage() + placeholder
                    + "; clips cannot be scored until a calibrated release is deployed");
        }

        ScoreScale tokenScale;
        try {
            tokenScale = ScoreScale.fromQuantiles(source + " surprise.per_token",
                    quantiles(field(field(surprise, "per_token", "perToken"), "quantiles")), thresholdQuantile);
        } catch (IllegalArgumentException e) {
            tokenScale = clipScale;
            notes.add(e.getMessage() + "; token maps are scored with the per-clip scale (regions stay relative, still valid)");
        }

        Optional<NormativeModel> normative = normative(field(root, "normative"), release, thresholdQuantile, source, notes);

        JsonNode series = field(root, "series");
        OptionalDouble seriesThreshold = number(field(series, "threshold"));
        String seriesRule = Optional.ofNullable(text(field(series, "score", "rule"))).orElse("unspecified");
        if (seriesThreshold.isEmpty()) {
            notes.add(source + ": no series.threshold; series are flagged by events only unless echostream.scoring.series-threshold is set");
        }
        OptionalDouble normativeWeight = number(field(series, "normative_weight", "normativeWeight"));
        return new ModelCalibration.Calibrated(release, lnEps, clipScale, tokenScale, normative, seriesThreshold, seriesRule,
                normativeWeight, notes);
    }

    private static Optional<NormativeModel> normative(JsonNode node, ModelRelease release, double quantile, String source,
                                                      List<String> notes) {
        if (node.isMissingNode() || node.isNull()) {
            notes.add(source + ": no normative section; normative scores are off");
            return Optional.empty();
        }
        try {
            double[] mean = vector(field(node, "mean"), "normative.mean");
            if (mean.length != release.latentDim()) {
                throw new IllegalArgumentException("normative.mean has " + mean.length + " dims, the model's latents " + release.latentDim());
            }
            ScoreScale scale = ScoreScale.fromQuantiles("normative", quantiles(field(node, "quantiles")), quantile);
            if (field(node, "squared").asBoolean(false)) {
                // The quantiles describe d^2; the model scores d, and sqrt keeps the quantiles' order.
                scale = new ScoreScale(Math.sqrt(scale.median()), Math.sqrt(scale.threshold()), quantile);
            }
            JsonNode components = field(node, "components");
            if (!components.isMissingNode() && !components.isNull()) {
                double[][] rows = new double[components.size()][];
                for (int j = 0; j < rows.length; j++) {
                    rows[j] = vector(components.get(j), "normative.components[" + j + "]");
                }
                double residual = number(field(node, "residual_variance", "residualVariance"))
                        .orElseThrow(() -> new IllegalArgumentException("normative.residual_variance is missing"));
                return Optional.of(new NormativeModel.LowRank(mean, rows, vector(field(node, "variances"), "normative.variances"),
                        residual, scale));
            }
            return Optional.of(new NormativeModel.Diagonal(mean, vector(field(node, "std"), "normative.std"), scale));
        } catch (IllegalArgumentException e) {
            notes.add(source + ": normative section unusable (" + e.getMessage() + "); normative scores are off");
            return Optional.empty();
        }
    }

    private static JsonNode field(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode value = node.path(name);
            if (!value.isMissingNode()) {
                return value;
            }
        }
        return node.path(names[0]);
    }

    private static OptionalDouble number(JsonNode node) {
        return node.isNumber() && Double.isFinite(node.doubleValue()) ? OptionalDouble.of(node.doubleValue()) : OptionalDouble.empty();
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.textValue() : null;
    }

    private static Map<Double, Double> quantiles(JsonNode node) {
        Map<Double, Double> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            try {
                double p = Double.parseDouble(entry.getKey());
                out.put(p, entry.getValue().isNumber() ? entry.getValue().doubleValue() : null);
            } catch (NumberFormatException notAProbability) {
                // keys such as "note" next to the quantiles are not ours to read
            }
        }
        return out;
    }

    private static double[] vector(JsonNode node, String what) {
        if (!node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(what + " is missing or not a list of numbers");
        }
        double[] out = new double[node.size()];
        for (int i = 0; i < out.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException(what + "[" + i + "] is not a number");
            }
            out[i] = node.get(i).doubleValue();
        }
        return out;
    }
}
