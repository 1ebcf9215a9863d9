package org.echostream.embedder.core;

import org.echostream.contracts.Clip;
import org.echostream.contracts.model.ModelManifest;

/**
 * Checks a decoded clip against what the model takes before any tensor is touched: shape, pixel byte
 * count, preprocessing version, and the predictor's condition. A clip that fails is rejected with a reason;
 * the clips beside it in the batch go on.
 */
public final class ClipAdmission {

    private final ModelManifest.ClipSpec spec;
    private final String preprocessingVersion;
    private final ConditionValues condition;

    public ClipAdmission(ModelManifest manifest, ConditionValues condition) {
        this.spec = manifest.clip();
        this.preprocessingVersion = manifest.preprocessingVersion();
        this.condition = condition;
    }

    /** null when the clip can be embedded, else the rejection. */
    public EmbedOutcome.Rejected check(Clip clip) {
        String name = ClipNames.of(clip);
        if (clip.getFrames() != spec.frames() || clip.getHeight() != spec.height() || clip.getWidth() != spec.width()) {
            return new EmbedOutcome.Rejected(RejectReasons.CLIP_SHAPE_MISMATCH, name + " is " + clip.getFrames() + "x"
                    + clip.getHeight() + "x" + clip.getWidth() + " (frames x height x width), the model takes "
                    + spec.frames() + "x" + spec.height() + "x" + spec.width());
        }
        long expectedBytes = (long) spec.frames() * spec.height() * spec.width();
        int actualBytes = clip.getPixels().remaining();
        if (actualBytes != expectedBytes) {
            return new EmbedOutcome.Rejected(RejectReasons.CLIP_SHAPE_MISMATCH, name + " declares " + clip.getFrames() + "x"
                    + clip.getHeight() + "x" + clip.getWidth() + " but carries " + actualBytes + " pixel bytes, expected " + expectedBytes);
        }
        if (!preprocessingVersion.equals(clip.getPreprocessingVersion())) {
            return new EmbedOutcome.Rejected(RejectReasons.PREPROCESSING_MISMATCH, name + " was preprocessed with '"
                    + clip.getPreprocessingVersion() + "', the model expects '" + preprocessingVersion + "'");
        }
        String conditionProblem = condition.problemWith(clip);
        if (conditionProblem != null) {
            return new EmbedOutcome.Rejected(RejectReasons.HEART_RATE_UNUSABLE, name + " " + conditionProblem);
        }
        return null;
    }
}
