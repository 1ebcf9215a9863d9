package org.echostream.anomaly.series;

import java.util.List;
import java.util.Optional;
import org.echostream.anomaly.scoring.ModelRelease;
import org.echostream.contracts.ClipLatents;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.tensor.TokenCodec;

/**
 * Checks one latents record on its own, before it touches any state: the key, the sizes it declares
 * against the bytes it carries, and that it comes from the model the calibration belongs to (name, version
 * and the encoder and predictor files, by sha256).
 */
public final class LatentsCheck {

    private final ModelRelease release;

    public LatentsCheck(ModelRelease release) {
        this.release = release;
    }

    /** @return the reason the record cannot be used, or empty */
    public Optional<Refusal> check(String key, ClipLatents clip) {
        ClipRef ref = clip.getRef();
        String where = "series " + ref.getSeriesInstanceUid() + " loop " + ref.getSopInstanceUid() + " clip " + ref.getClipIndex();
        if (!ref.getSeriesInstanceUid().equals(key)) {
            return refuse(Refusal.KEY_MISMATCH, where + ": record key is " + (key == null ? "missing" : "'" + key + "'")
                    + ", not the Series Instance UID; clips of one series must share a key to stay on one partition");
        }
        if (!release.produced(clip.getModel())) {
            return refuse(Refusal.MODEL_MISMATCH, where + ": latents of model " + clip.getModel().getName() + " "
                    + clip.getModel().getVersion() + " (encoder sha256 " + clip.getModel().getEncoderSha256() + ", predictor sha256 "
                    + clip.getModel().getPredictorSha256() + ") but this service is calibrated for " + release + " (encoder sha256 "
                    + release.encoderSha256() + ", predictor sha256 " + release.predictorSha256()
                    + "); deploy the matching calibration or re-embed with that model");
        }
        if (!release.preprocessingVersion().equals(clip.getPreprocessingVersion())) {
            return refuse(Refusal.PREPROCESSING_MISMATCH, where + ": clips shaped by preprocessing " + clip.getPreprocessingVersion()
                    + " but model " + release + " expects " + release.preprocessingVersion());
        }
        List<Integer> grid = clip.getTokenGrid();
        if (!release.tokenGrid().equals(grid) || clip.getLatentDim() != release.latentDim()) {
            return refuse(Refusal.SHAPE_MISMATCH, where + ": tokens " + grid + " x " + clip.getLatentDim() + " but model "
                    + release + " makes " + release.tokenGrid() + " x " + release.latentDim());
        }
        if (clip.getClipsInLoop() < 1 || ref.getClipIndex() < 0 || ref.getClipIndex() >= clip.getClipsInLoop()) {
            return refuse(Refusal.INVALID_LATENTS, where + ": clip index " + ref.getClipIndex() + " is outside a loop of "
                    + clip.getClipsInLoop() + " clips");
        }
        if (ref.getFrameCount() < 1 || ref.getFirstFrame() < 0 || clip.getPredictedFirstFrame() <= ref.getFirstFrame()) {
            return refuse(Refusal.INVALID_LATENTS, where + ": frames " + ref.getFirstFrame() + " + " + ref.getFrameCount()
                    + " with a prediction for frame " + clip.getPredictedFirstFrame() + " do not describe a clip and its successor");
        }
        if (!(clip.getFps() > 0) || !Double.isFinite(clip.getFps()) || !(ref.getEndSeconds() >= ref.getStartSeconds())) {
            return refuse(Refusal.INVALID_LATENTS, where + ": frame rate " + clip.getFps() + " fps and time "
                    + ref.getStartSeconds() + ".." + ref.getEndSeconds() + " s are not a valid timing");
        }
        CropGeometry crop = clip.getCrop();
        if (!(crop.getScale() > 0) || crop.getRegion().getWidth() < 1 || crop.getRegion().getHeight() < 1) {
            return refuse(Refusal.INVALID_LATENTS, where + ": crop geometry with scale " + crop.getScale() + " and region "
                    + crop.getRegion().getWidth() + " x " + crop.getRegion().getHeight() + " cannot map tokens to pixels");
        }
        int values = release.tokensPerClip() * release.latentDim();
        for (String name : new String[] {"observed", "predicted"}) {
            float[] tokens;
            try {
                tokens = TokenCodec.decode(name.equals("observed") ? clip.getObservedTokens() : clip.getPredictedTokens(),
                        clip.getTokenEncoding(), values);
            } catch (IllegalArgumentException e) {
                return refuse(Refusal.INVALID_LATENTS, where + ": " + name + " tokens: " + e.getMessage());
            }
            for (int i = 0; i < tokens.length; i++) {
                if (!Float.isFinite(tokens[i])) {
                    return refuse(Refusal.INVALID_LATENTS, where + ": " + name + " token value " + i + " is " + tokens[i]);
                }
            }
        }
        if (clip.getPooledEmbedding().size() != release.latentDim()) {
            return refuse(Refusal.INVALID_LATENTS, where + ": pooled embedding has " + clip.getPooledEmbedding().size()
                    + " values, the latent dimension is " + release.latentDim());
        }
        if (clip.getPooledEmbedding().stream().anyMatch(v -> !Float.isFinite(v))) {
            return refuse(Refusal.INVALID_LATENTS, where + ": pooled embedding holds a non-finite value");
        }
        return Optional.empty();
    }

    private static Optional<Refusal> refuse(String code, String detail) {
        return Optional.of(new Refusal(code, detail));
    }
}
