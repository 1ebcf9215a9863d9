package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.model.InvalidModelException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrationLoaderTest {

    /** The keys of the model release's placeholder calibration.json, numbers still null. */
    private static final String PLACEHOLDER = """
            {"placeholder": true, "note": "random-weight placeholder: numbers meaningless, keys final",
             "surprise": {"ln_eps": 1e-05,
               "per_clip": {"quantiles": {"0.5": null, "0.9": null, "0.95": null, "0.99": null, "0.995": null, "0.999": null},
                            "mean": null, "std": null},
               "per_token": {"quantiles": {"0.5": null, "0.9": null, "0.95": null, "0.99": null, "0.995": null, "0.999": null},
                             "mean": null, "std": null}},
             "series": {"score": "combined", "threshold": null}}
            """;

    @TempDir
    Path dir;

    @Test
    void reads_a_measured_calibration_with_every_part() {
        ModelCalibration.Calibrated calibration = SyntheticRelease.load(dir, 0.99);
        ObjectNode file = SyntheticRelease.calibration();

        assertThat(calibration.release().name()).isEqualTo(SyntheticLatents.MODEL_NAME);
        assertThat(calibration.release().tokenGrid()).isEqualTo(SyntheticLatents.GRID);
        assertThat(calibration.lnEps()).isEqualTo(1e-5);
        assertThat(calibration.clipScale().median()).isEqualTo(file.at("/surprise/per_clip/quantiles/0.5").doubleValue());
        assertThat(calibration.clipScale().threshold()).isEqualTo(file.at("/surprise/per_clip/quantiles/0.99").doubleValue());
        assertThat(calibration.tokenScale().threshold()).isEqualTo(file.at("/surprise/per_token/quantiles/0.99").doubleValue());
        assertThat(calibration.normative()).hasValueSatisfying(n -> {
            assertThat(n).isInstanceOf(NormativeModel.Diagonal.class);
            assertThat(n.features()).isEqualTo(NormativeFeatures.POOLED_AND_MOTION);
            assertThat(n.scale().median()).isEqualTo(file.at("/normative/per_clip/quantiles/0.5").doubleValue());
        });
        assertThat(calibration.seriesRule()).isEmpty();
        assertThat(calibration.notes()).singleElement().asString().contains("no usable series rule");
    }

    @Test
    void a_placeholder_release_is_not_calibrated_and_says_why() throws IOException {
        ModelCalibration calibration = SyntheticRelease.loadPinned(SyntheticRelease.write(dir, json(PLACEHOLDER)), 0.99);

        assertThat(calibration).isInstanceOf(ModelCalibration.NotCalibrated.class);
        assertThat(((ModelCalibration.NotCalibrated) calibration).reason())
                .contains(SyntheticLatents.MODEL_NAME).contains("surprise.per_clip").contains("placeholder");
    }

    @Test
    void missing_token_quantiles_fall_back_to_the_clip_scale_with_a_note() {
        ObjectNode file = SyntheticRelease.calibration();
        ((ObjectNode) file.get("surprise")).remove("per_token");
        ModelCalibration.Calibrated calibration = calibrated(file);

        assertThat(calibration.tokenScale()).isEqualTo(calibration.clipScale());
        assertThat(calibration.notes()).anySatisfy(n -> assertThat(n).contains("per_token"));
    }

    @Test
    void reads_camel_case_spellings_and_ignores_unknown_keys() throws IOException {
        ObjectNode file = json("""
                {"surprise": {"lnEps": 2e-5, "perClip": {"quantiles": {"0.5": 0.2, "0.99": 0.3, "note": "x"}, "extra": 1}},
                 "series": {"surprise": {"mean": 0.25, "std": 0.01}, "operating": {"score": "surprise_mean", "threshold": 2.5}},
                 "somethingNew": [1, 2]}
                """);
        ModelCalibration.Calibrated calibration = calibrated(file);

        assertThat(calibration.lnEps()).isEqualTo(2e-5);
        assertThat(calibration.clipScale().score(0.3)).isCloseTo(1.0, within(1e-12));
        assertThat(calibration.seriesRule()).hasValueSatisfying(rule -> {
            assertThat(rule).isEqualTo(new SeriesRule.SurpriseMean(0.25, 0.01, java.util.OptionalDouble.of(2.5)));
        });
        assertThat(calibration.normative()).isEmpty();
        assertThat(calibration.notes()).anySatisfy(n -> assertThat(n).contains("no normative section"));
    }

    @Test
    void an_unusable_normative_section_turns_only_that_feature_off() {
        ObjectNode file = SyntheticRelease.calibration();
        ((ObjectNode) file.get("normative")).putArray("std").add(1.0);
        ModelCalibration.Calibrated calibration = calibrated(file);

        assertThat(calibration.normative()).isEmpty();
        assertThat(calibration.notes()).anySatisfy(n -> assertThat(n).contains("normative section unusable"));
    }

    @Test
    void reads_the_release_layout_low_rank_normative_model_and_combined_series_rule() throws IOException {
        ObjectNode file = SyntheticRelease.calibration();
        ObjectNode normative = (ObjectNode) file.get("normative");
        int features = normative.get("mean").size();
        normative.remove("std");
        normative.set("components", array("[[1.0" + ", 0.0".repeat(features - 1) + "]]"));
        normative.putArray("eigenvalues").add(4.0);
        normative.put("residual_eigenvalue", 2.0);
        file.set("series", json("""
                {"surprise": {"rule": "mean over the series' clip pairs of S_k", "mean": 0.24, "std": 0.004},
                 "normative": {"rule": "mean over the series' clips of the normative score", "mean": 0.9, "std": 0.1},
                 "combined": {"rule": "(surprise - surprise.mean)/surprise.std + (normative - normative.mean)/normative.std"},
                 "operating": {"score": "combined", "threshold": 3.5, "alarm": "combined > threshold",
                               "surprise_only_threshold": 2.0}}
                """));
        ModelCalibration.Calibrated calibration = calibrated(file);

        assertThat(calibration.normative()).containsInstanceOf(NormativeModel.LowRank.class);
        assertThat(calibration.seriesRule()).contains(
                new SeriesRule.Combined(0.24, 0.004, 0.9, 0.1, java.util.OptionalDouble.of(3.5)));
        assertThat(calibration.notes()).isEmpty();

        ((ObjectNode) file.get("normative")).remove("eigenvalues");
        ModelCalibration.Calibrated withoutNormative = calibrated(file);
        assertThat(withoutNormative.seriesRule()).as("combined needs the normative model: surprise-only rule and threshold")
                .contains(new SeriesRule.SurpriseMean(0.24, 0.004, java.util.OptionalDouble.of(2.0)));
    }

    @Test
    void squared_normative_quantiles_are_turned_into_distances() {
        ObjectNode file = SyntheticRelease.calibration();
        ObjectNode normative = (ObjectNode) file.get("normative");
        normative.put("squared", true);
        ((ObjectNode) normative.get("per_clip")).set("quantiles", JSON.createObjectNode().put("0.5", 16.0).put("0.99", 64.0));

        NormativeModel model = calibrated(file).normative().orElseThrow();
        assertThat(model.scale().median()).isEqualTo(4.0);
        assertThat(model.scale().threshold()).isEqualTo(8.0);
    }

    @Test
    void a_calibration_that_fails_its_checksum_is_refused() throws IOException {
        SyntheticRelease.write(dir);
        Files.writeString(dir.resolve("calibration.json"), Files.readString(dir.resolve("calibration.json")).replace("0.", "1."));

        assertThatThrownBy(() -> SyntheticRelease.loadPinned(dir, 0.99)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("calibration.json").hasMessageContaining("sha256");
    }

    @Test
    void a_release_whose_calibration_and_manifest_were_replaced_together_is_refused_by_the_pin() throws IOException {
        String pinned = SyntheticRelease.pinOf(SyntheticRelease.write(dir));
        ObjectNode other = SyntheticRelease.calibration();
        ((ObjectNode) other.get("surprise")).put("ln_eps", 1e-3);
        SyntheticRelease.write(dir, other); // calibration and a manifest that vouches for it

        assertThat(SyntheticRelease.loadPinned(dir, 0.99)).as("consistent in itself").isInstanceOf(ModelCalibration.Calibrated.class);
        assertThatThrownBy(() -> CalibrationLoader.load(dir, pinned, 0.99)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("echostream.model.release-sha256 pins " + pinned);
    }

    @Test
    void a_release_that_does_not_name_its_encoder_and_predictor_by_sha256_is_not_calibrated() throws IOException {
        SyntheticRelease.write(dir);
        Path manifest = dir.resolve("manifest.json");
        ObjectNode json = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(manifest.toFile());
        ((ObjectNode) json.get("files")).remove("encoder.onnx");
        Files.writeString(manifest, json.toString());

        ModelCalibration calibration = SyntheticRelease.loadPinned(dir, 0.99);
        assertThat(calibration).isInstanceOf(ModelCalibration.NotCalibrated.class);
        assertThat(((ModelCalibration.NotCalibrated) calibration).reason()).contains("lists no encoder.onnx");
    }

    @Test
    void a_folder_without_a_release_is_not_calibrated() {
        ModelCalibration calibration = SyntheticRelease.loadPinned(dir.resolve("nothing-here"), 0.99);

        assertThat(calibration).isInstanceOf(ModelCalibration.NotCalibrated.class);
        assertThat(((ModelCalibration.NotCalibrated) calibration).reason()).contains("manifest.json is missing");
    }

    @Test
    void a_clip_rule_other_than_the_contract_mean_is_refused() {
        ObjectNode file = SyntheticRelease.calibration();
        ((ObjectNode) file.get("surprise")).put("clip_rule", "mean of the top 10% of tokens");

        assertThatThrownBy(() -> SyntheticRelease.loadPinned(SyntheticRelease.write(dir, file), 0.99))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("top 10%");
    }

    @Test
    void reads_the_general_series_rule_with_its_components_and_motion_statistics() throws IOException {
        ObjectNode file = SyntheticRelease.calibration();
        int cells = SyntheticLatents.GRID.get(1) * SyntheticLatents.GRID.get(2);
        ObjectNode motion = file.putObject("motion");
        motion.set("cell_mean", array("[" + "0.5, ".repeat(cells - 1) + "0.5]"));
        motion.set("cell_std", array("[" + "0.1, ".repeat(cells - 1) + "0.1]"));
        motion.put("global_mean", 0.5).put("global_std", 0.05);
        file.set("series", json("""
                {"components": [
                   {"name": "surprise_top20_mean", "measure": "surprise_top", "fraction": 0.2, "aggregate": "mean", "mean": 0.3, "std": 0.02},
                   {"name": "motion_deficit_regional_max", "measure": "motion_deficit_regional", "aggregate": "max", "mean": 1.0, "std": 0.5},
                   {"name": "normative_mean", "measure": "normative", "aggregate": "mean", "mean": 0.9, "std": 0.1}],
                 "combine": "sum", "weights": [1.0, 2.0, 1.0], "threshold": 2.4, "rule": "sum(...)", "alarm": "score > threshold",
                 "unknown_key_later": {"ignored": true}}
                """));
        ModelCalibration.Calibrated calibration = calibrated(file);

        SeriesRule.General rule = (SeriesRule.General) calibration.seriesRule().orElseThrow();
        assertThat(rule.combine()).isEqualTo(SeriesRule.General.Combine.SUM);
        assertThat(rule.threshold()).hasValue(2.4);
        assertThat(rule.topFraction()).hasValue(0.2);
        assertThat(rule.measures()).containsExactlyInAnyOrder(SeriesMeasure.SURPRISE_TOP, SeriesMeasure.MOTION_DEFICIT_REGIONAL,
                SeriesMeasure.NORMATIVE);
        assertThat(rule.components().get(1)).isEqualTo(new SeriesRule.General.Component("motion_deficit_regional_max",
                SeriesMeasure.MOTION_DEFICIT_REGIONAL, true, 1.0, 0.5, 2.0));
        assertThat(rule.motion()).hasValueSatisfying(m -> assertThat(m.globalStd()).isEqualTo(0.05));
        assertThat(calibration.notes()).isEmpty();
    }

    @Test
    void a_general_rule_with_a_measure_this_service_cannot_compute_is_turned_off_with_a_note() throws IOException {
        ObjectNode file = SyntheticRelease.calibration();
        file.set("series", json("""
                {"components": [{"name": "x", "measure": "optical_flow", "aggregate": "mean", "mean": 0.3, "std": 0.02}],
                 "combine": "max", "threshold": 2.0}
                """));
        ModelCalibration.Calibrated unknown = calibrated(file);
        assertThat(unknown.seriesRule()).isEmpty();
        assertThat(unknown.notes()).anySatisfy(n -> assertThat(n).contains("optical_flow").contains("falls back"));

        file.set("series", json("""
                {"components": [{"name": "m", "measure": "motion_deficit_global", "aggregate": "mean", "mean": 0.0, "std": 1.0}],
                 "combine": "max", "threshold": 2.0}
                """));
        ModelCalibration.Calibrated noMotion = calibrated(file);
        assertThat(noMotion.seriesRule()).as("motion measures need calibration.json motion").isEmpty();
        assertThat(noMotion.notes()).anySatisfy(n -> assertThat(n).contains("motion.cell_mean"));
    }

    private ModelCalibration.Calibrated calibrated(ObjectNode file) {
        ModelCalibration calibration = SyntheticRelease.loadPinned(SyntheticRelease.write(dir, file), 0.99);
        assertThat(calibration).isInstanceOf(ModelCalibration.Calibrated.class);
        return (ModelCalibration.Calibrated) calibration;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode json(String text) throws IOException {
        return (ObjectNode) JSON.readTree(text);
    }

    private static com.fasterxml.jackson.databind.JsonNode array(String text) throws IOException {
        return JSON.readTree(text);
    }
}
