package org.echostream.api.model;

import org.echostream.contracts.CropGeometry;

/** Everything needed to draw a keyframe with its surprise heatmap, or why it cannot be drawn. */
public sealed interface KeyframeLookup {

    /**
     * @param frame         the clip's middle frame, height*width uint8 (cleaned sector, outside set to 0)
     * @param tokenGrid     [time slots, rows, columns], null when the clip was not scored (a loop's first clip never is)
     * @param tokenSurprise per-token surprise in time-row-column order, null with {@code tokenGrid}
     * @param scaleMax      the loop's largest token surprise: one colour scale for every clip of the loop
     * @param eventRegions regions of the anomaly events that cover this clip
     */
    record Found(int width, int height, byte[] frame, int frameIndex, CropGeometry crop, int[] tokenGrid, float[] tokenSurprise,
                 double scaleMax, Double clipScore, java.util.List<Views.Region> eventRegions) implements KeyframeLookup {
    }

    record NotFound(String reason) implements KeyframeLookup {
    }

    /** The clip is known but its pixels are no longer held (evicted from the cine budget, or past the clips topic's retention). */
    record PixelsNotHeld(String reason) implements KeyframeLookup {
    }
}
