package org.echostream.anomaly.scoring;

import java.util.List;
import org.echostream.contracts.ModelRef;
import org.echostream.contracts.model.ModelManifest;

/**
 * What the anomaly service needs to know of the model release it is calibrated for: its identity (to
 * refuse latents of another model), the token layout and the model clip size (to map token boxes back to
 * pixels).
 *
 * @param tokenGrid   [time slots, rows, columns] of one clip's tokens
 * @param clipHeight  model input height in pixels (the token grid's rows cover it)
 * @param clipWidth   model input width in pixels
 */
public record ModelRelease(String name, String version, String preprocessingVersion, List<Integer> tokenGrid, int latentDim,
                           int clipHeight, int clipWidth) {

    public ModelRelease {
        tokenGrid = List.copyOf(tokenGrid);
        if (tokenGrid.size() != 3 || tokenGrid.stream().anyMatch(v -> v < 1)) {
            throw new IllegalArgumentException("model " + name + " " + version + ": token grid must be [time, rows, columns], got " + tokenGrid);
        }
    }

    public static ModelRelease of(ModelManifest manifest) {
        return new ModelRelease(manifest.name(), manifest.version(), manifest.preprocessingVersion(), manifest.tokens().grid(),
                manifest.tokens().dim(), manifest.clip().height(), manifest.clip().width());
    }

    public int tokensPerClip() {
        return tokenGrid.get(0) * tokenGrid.get(1) * tokenGrid.get(2);
    }

    public boolean produced(ModelRef ref) {
        return name.equals(ref.getName()) && version.equals(ref.getVersion());
    }

    @Override
    public String toString() {
        return name + " " + version;
    }
}
