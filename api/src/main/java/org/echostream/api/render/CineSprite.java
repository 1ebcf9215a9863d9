package org.echostream.api.render;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * A cine loop as one grayscale PNG: the held frames tiled left to right, top to bottom, {@code columns}
 * per row. One request and one decode in the browser, which then draws tile after tile at the loop's
 * frame rate: no video codec on either side, and the frames stay exactly the pixels the model saw.
 */
public final class CineSprite {

    public static final int COLUMNS = 8;

    /** How to cut the sprite back into frames; {@code frameIndices} are on the loop's resampled time axis. */
    public record Layout(int frameWidth, int frameHeight, int columns, int rows, List<Integer> frameIndices, double fps) {
    }

    public static Layout layout(int width, int height, NavigableMap<Integer, byte[]> frames, double fps) {
        int columns = Math.min(COLUMNS, Math.max(1, frames.size()));
        int rows = (frames.size() + columns - 1) / columns;
        return new Layout(width, height, columns, rows, new ArrayList<>(frames.keySet()), fps);
    }

    public static byte[] png(int width, int height, NavigableMap<Integer, byte[]> frames) {
        Layout layout = layout(width, height, frames, 0);
        BufferedImage sprite = new BufferedImage(width * layout.columns(), height * Math.max(1, layout.rows()), BufferedImage.TYPE_BYTE_GRAY);
        var raster = sprite.getRaster();
        int tile = 0;
        for (Map.Entry<Integer, byte[]> frame : frames.entrySet()) {
            int ox = (tile % layout.columns()) * width;
            int oy = (tile / layout.columns()) * height;
            byte[] pixels = frame.getValue();
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    raster.setSample(ox + x, oy + y, 0, pixels[y * width + x] & 0xff);
                }
            }
            tile++;
        }
        return HeatmapKeyframe.encode(sprite);
    }

    private CineSprite() {
    }
}
