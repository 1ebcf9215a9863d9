package org.echostream.anomaly.scoring;

import java.util.List;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.model.ModelManifest;

/**
 * What the anomaly service needs to know of the model release it is calibrated for: its identity (name,
 * version and the sha256 of the encoder and predictor, to refuse latents of any other model), the token
 * layout, the model clip size (to map token boxes back to pixels) and the sha256 of the calibration that
 * travels on every score.
 *
 * @param tokenGrid   [time slots, rows, columns] of one clip's tokens
 * @param clipHeight  model input height in pixels (the token grid's rows cover it)
 * @param clipWidth   model input width in pixels
 */
public record ModelRelease(String name, String version, String preprocessingVersion, List<Integer> tokenGrid, int latentDim,
                           int clipHeight, int clipWidth, String encoderSha256, String predictorSha256, String calibrationSha256) {

    public static final String ENCODER = "encoder.onnx";
    public static final String PREDICTOR = "predictor.onnx";

    public ModelRelease {
        tokenGrid = List.copyOf(tokenGrid);
        if (tokenGrid.size() != 3 || tokenGrid.stream().anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("model " + name + " " + version + ": token grid must be [time, rows, columns], got " + tokenGrid);
        }
    }

    /** The release as its manifest describes it; the manifest must list the encoder, the predictor and {@code calibrationFile}. */
    public static ModelRelease of(ModelManifest manifest, String calibrationFile) {
        return new ModelRelease(manifest.name(), manifest.version(), manifest.preprocessingVersion(), manifest.tokens().grid(),
                manifest.tokens().dim(), manifest.clip().height(), manifest.clip().width(), manifest.sha256Of(ENCODER),
                manifest.sha256Of(PREDICTOR), manifest.sha256Of(calibrationFile));
    }

    public int tokensPerClip() {
        return tokenGrid.get(0) * tokenGrid.get(1) * tokenGrid.get(2);
    }

    /** Same model name and version, and the very encoder and predictor files this release holds. */
    public boolean produced(ModelRef ref) {
        return name.equals(ref.getName()) && version.equals(ref.getVersion())
                && encoderSha256.equalsIgnoreCase(ref.getEncoderSha256()) && predictorSha256.equalsIgnoreCase(ref.getPredictorSha256());
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
