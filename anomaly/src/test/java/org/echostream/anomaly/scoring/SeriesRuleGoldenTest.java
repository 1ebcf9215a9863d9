package org.echostream.anomaly.scoring;

import org.echostream.anomaly.testing.SyntheticRelease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Parity of the series decision with the model release's reference ({@code model/echomodel/scoring.py}): from the golden
 * series' tokens and predictions, with the release's own calibration.json, this service computes the same per-clip
 * measures, the same series score and the same alarm. Runs wherever the release is in the tree
 * ({@code model/release}, or {@code -Dechostream.release.dir=...}) and ships {@code golden/series.json}.
 */
class SeriesRuleGoldenTest {

    @Test
    void series_scores_match_the_model_release_reference() throws IOException {
        Path release = Path.of(System.getProperty("echostream.release.dir", "../model/release"));
        Path golden = release.resolve("golden");
        assumeTrue(Files.isRegularFile(golden.resolve("series.json")), "no series golden files at " + golden.toAbsolutePath());
        JsonNode meta = new ObjectMapper().readTree(golden.resolve("series.json").toFile());
        double tolerance = meta.path("tolerance_max_abs").asDouble(1e-3);
        ModelCalibration.Calibrated calibration = (ModelCalibration.Calibrated) SyntheticRelease.loadPinned(release, 0.99);
        SeriesRule.General rule = (SeriesRule.General) calibration.seriesRule().orElseThrow();
        assertThat(rule.describe()).isEqualTo(meta.path("rule").asText());

        JsonNode shape = meta.path("tokens").path("shape");
        int loops = shape.get(0).asInt();
        int clips = shape.get(1).asInt();
        int tokens = shape.get(2).asInt();
        int dim = shape.get(3).asInt();
        int size = tokens * dim;
        float[] observed = floats(golden.resolve(meta.path("tokens").path("file").asText()));
        float[] predicted = floats(golden.resolve(meta.path("predicted").path("file").asText()));
        var grid = calibration.release().tokenGrid();

        double worst = 0;
        for (int l = 0; l < loops; l++) {
            JsonNode expected = meta.path("series").get(l);
            MeasureTally tally = new MeasureTally();
            for (int k = 0; k < clips; k++) {
                float[] clip = Arrays.copyOfRange(observed, (l * clips + k) * size, (l * clips + k + 1) * size);
                if (calibration.normative().isPresent()) {
                    NormativeModel model = calibration.normative().get();
                    double distance = model.distance(model.features().of(clip, grid, dim, calibration.lnEps()));
                    worst = Math.max(worst, Math.abs(distance - expected.at("/measures/normative/" + k).asDouble()));
                    tally.add(SeriesMeasure.NORMATIVE, distance);
                }
                if (rule.motion().isPresent()) {
                    double[] features = NormativeFeatures.POOLED_AND_MOTION.of(clip, grid, dim, calibration.lnEps());
                    double[] motion = Arrays.copyOfRange(features, dim, features.length);
                    tally.add(SeriesMeasure.MOTION_DEFICIT_REGIONAL, rule.motion().get().regional(motion));
                    tally.add(SeriesMeasure.MOTION_DEFICIT_GLOBAL, rule.motion().get().global(motion));
                    worst = Math.max(worst, Math.abs(rule.motion().get().global(motion)
                            - expected.at("/measures/motion_deficit_global/" + k).asDouble()));
                }
                if (k > 0) {
                    int pair = l * (clips - 1) + k - 1;
                    Surprise s = Surprise.between(Arrays.copyOfRange(predicted, pair * size, (pair + 1) * size), clip, tokens, dim,
                            calibration.lnEps());
                    worst = Math.max(worst, Math.abs(s.clip() - expected.at("/measures/surprise_mean/" + (k - 1)).asDouble()));
                    tally.add(SeriesMeasure.SURPRISE_MEAN, s.clip());
                    if (rule.topFraction().isPresent()) {
                        tally.add(SeriesMeasure.SURPRISE_TOP, SeriesMeasure.topMean(s.perToken(), rule.topFraction().getAsDouble()));
                    }
                }
            }
            double score = rule.score(new SeriesRule.Figures(clips - 1, 0, 0, 0, 0, 0, tally));
            assertThat(score).as("series %d (%s): score", l, expected.path("kind").asText())
                    .isCloseTo(expected.path("score").asDouble(), org.assertj.core.data.Offset.offset(tolerance));
            assertThat(score > rule.threshold().orElseThrow()).as("series %d alarm", l).isEqualTo(expected.path("flagged").asBoolean());
        }
        assertThat(worst).as("max |java - pytorch| of the per-clip measures").isLessThan(tolerance);
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(out);
        return out;
    }
}
