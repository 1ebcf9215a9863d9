package org.echostream.ingest.prep;

import org.echostream.contracts.model.ModelManifest;

/**
 * The clip the model expects, from its manifest: nothing about clip length, size or rate is a constant
 * of ingest.
 *
 * @param frames       frames per clip
 * @param height       model image height, pixels
 * @param width        model image width, pixels
 * @param fps          frame rate clips are resampled to
 * @param strideFrames frames between the starts of consecutive clips (prep-1: the predictor's horizon)
 */
public record ClipShape(int frames, int height, int width, double fps, int strideFrames,
                        String preprocessingVersion, String modelName, String modelVersion) {

    public ClipShape {
        if (frames < 1 || height < 1 || width < 1 || strideFrames < 1 || !(fps > 0) || !Double.isFinite(fps)) {
            throw new IllegalArgumentException("clip shape needs positive frames, size, stride and fps: frames=" + frames
                    + " height=" + height + " width=" + width + " stride=" + strideFrames + " fps=" + fps);
        }
    }

    /**
     * @param strideOverride frames between clip starts when set; else the manifest's horizon, as prep-1 defines
     */
    public static ClipShape of(ModelManifest manifest, Integer strideOverride) {
        ModelManifest.ClipSpec clip = manifest.clip();
        if (clip.channels() != 1) {
            throw new IllegalArgumentException("model " + manifest.name() + " " + manifest.version() + " wants " + clip.channels()
                    + " channels; ingest produces one grey channel");
        }
        int stride = strideOverride != null ? strideOverride : clip.horizonFrames();
        return new ClipShape(clip.frames(), clip.height(), clip.width(), clip.fps(), stride,
                manifest.preprocessingVersion(), manifest.name(), manifest.version());
    }

    public int pixelsPerFrame() {
        return height * width;
    }
}
