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
import java.util.regex.Pattern;
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
    /**
     * The one per-clip reduction the contract defines, as the release words it ("mean over tokens", "S_k = mean over
     * the tokens of clip pair k"); a release that says otherwise needs a code change here.
     */
    static final Pattern MEAN_OVER_TOKENS = Pattern.compile("(?i)\\bmean over (the )?tokens\\b");

    private static final ObjectMapper JSON = new ObjectMapper();

    private CalibrationLoader() {
    }

    /**
     * @param pinnedManifestSha256 the sha256 the configuration pins for manifest.json
     * @param thresholdQuantile    the normal quantile that scores 1.0 (configuration)
     * @throws InvalidModelException when the manifest is unreadable or not the pinned one, or a listed file fails its checksum
     */
    public static ModelCalibration load(Path modelDir, String pinnedManifestSha256, double thresholdQuantile) {
        Path manifestFile = modelDir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            return new ModelCalibration.NotCalibrated("no model release in " + modelDir.toAbsolutePath() + ": " + MANIFEST + " is missing");
        }
        ModelManifest manifest = ModelManifest.readPinned(manifestFile, pinnedManifestSha256);
        for (String needed : List.of(CALIBRATION, ModelRelease.ENCODER, ModelRelease.PREDICTOR)) {
            if (!manifest.files().containsKey(needed)) {
                return new ModelCalibration.NotCalibrated("model " + manifest.name() + " " + manifest.version() + " lists no "
                        + needed + " in its manifest" + (needed.equals(CALIBRATION) ? ""
                        : ": without its sha256 no latents can be matched to the model the calibration belongs to"));
            }
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
        return parse(root, ModelRelease.of(manifest, CALIBRATION), thresholdQuantile, file.toString());
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
        if (clipRule != null && !MEAN_OVER_TOKENS.matcher(clipRule).find()) {
            throw new InvalidModelException(source + ": surprise.clip_rule is '" + clipRule + "' but this service computes"
                    + " the mean over the tokens; the calibration numbers would not describe its scores");
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

        Optional<NormativeModel> normative = normative(field(root, "normative"), release, lnEps, thresholdQuantile, source, notes);
        JsonNode series = field(root, "series");
        Optional<SeriesRule> seriesRule = series.has("components")
                ? generalRule(series, field(root, "motion"), normative.isPresent(), source, notes)
                : seriesRule(series, normative.isPresent(), source, notes);
        return new ModelCalibration.Calibrated(release, lnEps, clipScale, tokenScale, normative, seriesRule, notes);
    }

    private static Optional<NormativeModel> normative(JsonNode node, ModelRelease release, double lnEps, double quantile,
                                                      String source, List<String> notes) {
        if (node.isMissingNode() || node.isNull()) {
            notes.add(source + ": no normative section; normative scores are off");
            return Optional.empty();
        }
        try {
            double[] mean = vector(field(node, "mean"), "normative.mean");
            NormativeFeatures features = NormativeFeatures.ofLength(mean.length, release.tokenGrid(), release.latentDim());
            if (features == null) {
                throw new IllegalArgumentException("normative.mean has " + mean.length + " features; this service computes "
                        + release.latentDim() + " (pooled embedding) or " + (release.latentDim() + release.tokenGrid().get(1)
                        * release.tokenGrid().get(2)) + " (pooled embedding + motion map)");
            }
            JsonNode table = field(field(node, "per_clip", "perClip"), "quantiles");
            ScoreScale scale = ScoreScale.fromQuantiles("normative",
                    quantiles(table.isMissingNode() ? field(node, "quantiles") : table), quantile);
            if (field(node, "squared").asBoolean(false)) {
                // The quantiles describe d^2 / F; the model scores sqrt of it, and sqrt keeps the quantiles' order.
                scale = new ScoreScale(Math.sqrt(scale.median()), Math.sqrt(scale.threshold()), quantile);
            }
            JsonNode components = field(node, "components");
            if (!components.isMissingNode() && !components.isNull()) {
                double[][] rows = new double[components.size()][];
                for (int j = 0; j < rows.length; j++) {
                    rows[j] = vector(components.get(j), "normative.components[" + j + "]");
                }
                double residual = number(field(node, "residual_eigenvalue", "residualEigenvalue", "residual_variance"))
                        .orElseThrow(() -> new IllegalArgumentException("normative.residual_eigenvalue is missing"));
                return Optional.of(new NormativeModel.LowRank(mean, rows,
                        vector(field(node, "eigenvalues", "variances"), "normative.eigenvalues"), residual, scale, features));
            }
            return Optional.of(new NormativeModel.Diagonal(mean, vector(field(node, "std"), "normative.std"), scale, features));
        } catch (IllegalArgumentException e) {
            notes.add(source + ": normative section unusable (" + e.getMessage() + "); normative scores are off");
            return Optional.empty();
        }
    }

    /**
     * The series rule named by {@code series.operating.score} (or {@code series.score}), with the statistics it
     * standardises by ({@code series.surprise}, {@code series.normative}) and its threshold.
     */
    private static Optional<SeriesRule> seriesRule(JsonNode series, boolean normative, String source, List<String> notes) {
        JsonNode operating = field(series, "operating");
        if (operating.isMissingNode()) {
            operating = series;
        }
        String name = text(field(operating, "score", "rule"));
        OptionalDouble threshold = number(field(operating, "threshold"));
        Optional<double[]> surprise = meanAndStd(field(series, "surprise"));
        Optional<double[]> normal = meanAndStd(field(series, "normative"));
        String fallback = "; the series score falls back to the robust mean of clip scores (docs/anomaly.md), flagged by events"
                + " or echostream.scoring.series-threshold";
        if ("combined".equals(name) && surprise.isPresent() && normal.isPresent() && normative) {
            return Optional.of(new SeriesRule.Combined(surprise.get()[0], surprise.get()[1], normal.get()[0], normal.get()[1], threshold));
        }
        if ("combined".equals(name) && surprise.isPresent()) {
            notes.add(source + ": series rule 'combined' needs the normative model and series.normative statistics;"
                    + " using the surprise-only rule and its threshold");
            return Optional.of(new SeriesRule.SurpriseMean(surprise.get()[0], surprise.get()[1],
                    number(field(operating, "surprise_only_threshold", "surpriseOnlyThreshold"))));
        }
        if (("surprise_mean".equals(name) || "surprise".equals(name)) && surprise.isPresent()) {
            return Optional.of(new SeriesRule.SurpriseMean(surprise.get()[0], surprise.get()[1], threshold));
        }
        notes.add(source + ": no usable series rule (series.operating.score = " + name + ", with series.surprise mean/std)" + fallback);
        return Optional.empty();
    }

    /**
     * The general rule ({@code series.components}, {@code combine}, {@code weights}, {@code threshold}); see
     * {@link SeriesRule.General}. A component this service cannot compute (unknown measure or aggregate, normative
     * or motion statistics missing) makes the whole rule unusable: a partial rule would not match its threshold.
     */
    private static Optional<SeriesRule> generalRule(JsonNode series, JsonNode motionNode, boolean normative, String source,
                                                    List<String> notes) {
        String fallback = "; the series score falls back to the robust mean of clip scores (docs/anomaly.md), flagged by events"
                + " or echostream.scoring.series-threshold";
        try {
            JsonNode list = field(series, "components");
            JsonNode weights = field(series, "weights");
            List<SeriesRule.General.Component> components = new ArrayList<>();
            OptionalDouble topFraction = OptionalDouble.empty();
            boolean needsMotion = false;
            for (int i = 0; i < list.size(); i++) {
                JsonNode c = list.get(i);
                String measureName = text(field(c, "measure"));
                SeriesMeasure measure = SeriesMeasure.byKey(measureName == null ? "" : measureName).orElseThrow(() ->
                        new IllegalArgumentException("series.components[" + c + "] names measure '" + measureName
                                + "', which this service does not compute"));
                String aggregate = text(field(c, "aggregate"));
                if (!"mean".equals(aggregate) && !"max".equals(aggregate)) {
                    throw new IllegalArgumentException("series component " + text(field(c, "name")) + ": aggregate '" + aggregate
                            + "' is neither 'mean' nor 'max'");
                }
                if (measure == SeriesMeasure.SURPRISE_TOP) {
                    double f = number(field(c, "fraction")).orElseThrow(() ->
                            new IllegalArgumentException("series component surprise_top without a fraction"));
                    if (!(f > 0 && f <= 1) || topFraction.isPresent() && topFraction.getAsDouble() != f) {
                        throw new IllegalArgumentException("surprise_top fraction " + f + " must be in (0, 1] and the same in every component");
                    }
                    topFraction = OptionalDouble.of(f);
                }
                if (measure == SeriesMeasure.NORMATIVE && !normative) {
                    throw new IllegalArgumentException("a component uses the normative distance but the normative model is unusable");
                }
                needsMotion |= measure == SeriesMeasure.MOTION_DEFICIT_REGIONAL || measure == SeriesMeasure.MOTION_DEFICIT_GLOBAL;
                double weight = weights.isArray() && weights.size() > i && weights.get(i).isNumber() ? weights.get(i).doubleValue() : 1.0;
                String name = text(field(c, "name"));
                components.add(new SeriesRule.General.Component(name == null ? measure.key() + "_" + aggregate : name, measure,
                        "max".equals(aggregate), number(field(c, "mean")).orElseThrow(() -> new IllegalArgumentException(
                        "series component " + name + " has no mean")), number(field(c, "std")).orElse(Double.NaN), weight));
            }
            String combine = text(field(series, "combine"));
            if (!"max".equals(combine) && !"sum".equals(combine)) {
                throw new IllegalArgumentException("series.combine is '" + combine + "', neither 'max' nor 'sum'");
            }
            Optional<MotionNorms> motion = Optional.empty();
            if (needsMotion) {
                motion = Optional.of(new MotionNorms(vector(field(motionNode, "cell_mean", "cellMean"), "motion.cell_mean"),
                        vector(field(motionNode, "cell_std", "cellStd"), "motion.cell_std"),
                        number(field(motionNode, "global_mean", "globalMean")).orElseThrow(() ->
                                new IllegalArgumentException("motion.global_mean is missing")),
                        number(field(motionNode, "global_std", "globalStd")).orElse(Double.NaN)));
            }
            return Optional.of(new SeriesRule.General(components, "max".equals(combine) ? SeriesRule.General.Combine.MAX
                    : SeriesRule.General.Combine.SUM, number(field(series, "threshold")), topFraction, motion));
        } catch (IllegalArgumentException e) {
            notes.add(source + ": series rule unusable (" + e.getMessage() + ")" + fallback);
            return Optional.empty();
        }
    }

    private static Optional<double[]> meanAndStd(JsonNode node) {
        OptionalDouble mean = number(field(node, "mean"));
        OptionalDouble std = number(field(node, "std"));
        return mean.isPresent() && std.isPresent() && std.getAsDouble() > 0
                ? Optional.of(new double[] {mean.getAsDouble(), std.getAsDouble()}) : Optional.empty();
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
