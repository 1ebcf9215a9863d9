package org.echostream.anomaly.scoring;

import java.util.ArrayDeque;
import java.util.Deque;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.TokenRegion;

/**
 * Says where in the image an event happened: the box around the most surprising patch of the token grid,
 * mapped back to source pixels through the clip's crop geometry.
 *
 * <p>The box is the 4-connected set of grid cells, containing the peak cell, whose score is at least
 * {@code fraction} of the way from the map's median to its peak. Relative to the map rather than to a fixed
 * threshold, so a diffuse abnormality gives a large box and a focal one a small box.
 *
 * @param fraction   0..1; 0.5 keeps cells at least half as far above the median as the peak
 * @param clipHeight model input height in pixels
 * @param clipWidth  model input width in pixels
 */
public record RegionLocator(double fraction, int clipHeight, int clipWidth) {

    public RegionLocator {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("region fraction must be within 0..1, got " + fraction);
        }
    }

    /** A box on the token grid, inclusive bounds. */
    public record GridBox(int rowStart, int rowEnd, int colStart, int colEnd) {
    }

    /**
     * @param map rows x columns, row-major: per grid cell, the mean token score over time slots and clips
     */
    public GridBox box(float[] map, int rows, int cols) {
        if (map.length != rows * cols) {
            throw new IllegalArgumentException("region: map has " + map.length + " cells, grid is " + rows + " x " + cols);
        }
        int peak = 0;
        for (int i = 1; i < map.length; i++) {
            if (map[i] > map[peak]) {
                peak = i;
            }
        }
        float[] sorted = map.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double cut = median + fraction * (map[peak] - median);
        boolean[] seen = new boolean[map.length];
        Deque<Integer> todo = new ArrayDeque<>();
        todo.add(peak);
        seen[peak] = true;
        int r0 = rows;
        int r1 = -1;
        int c0 = cols;
        int c1 = -1;
        while (!todo.isEmpty()) {
            int cell = todo.poll();
            int r = cell / cols;
            int c = cell % cols;
            r0 = Math.min(r0, r);
            r1 = Math.max(r1, r);
            c0 = Math.min(c0, c);
            c1 = Math.max(c1, c);
            int[][] neighbours = {{r - 1, c}, {r + 1, c}, {r, c - 1}, {r, c + 1}};
            for (int[] n : neighbours) {
                if (n[0] >= 0 && n[0] < rows && n[1] >= 0 && n[1] < cols) {
                    int next = n[0] * cols + n[1];
                    if (!seen[next] && map[next] >= cut) {
                        seen[next] = true;
                        todo.add(next);
                    }
                }
            }
        }
        return new GridBox(r0, r1, c0, c1);
    }

    /**
     * The grid box in source pixels: model pixels of the box's patches, then
     * {@code source = region.origin + (model - pad) / scale}, clipped to the cropped region (the letterbox
     * bands have no source pixels).
     */
    public TokenRegion locate(GridBox box, int rows, int cols, CropGeometry crop) {
        double patchHeight = (double) clipHeight / rows;
        double patchWidth = (double) clipWidth / cols;
        PixelRegion region = crop.getRegion();
        double x0 = region.getX() + (box.colStart() * patchWidth - crop.getPadX()) / crop.getScale();
        double x1 = region.getX() + ((box.colEnd() + 1) * patchWidth - crop.getPadX()) / crop.getScale();
        double y0 = region.getY() + (box.rowStart() * patchHeight - crop.getPadY()) / crop.getScale();
        double y1 = region.getY() + ((box.rowEnd() + 1) * patchHeight - crop.getPadY()) / crop.getScale();
        int left = clamp((int) Math.floor(x0), region.getX(), region.getX() + region.getWidth() - 1);
        int top = clamp((int) Math.floor(y0), region.getY(), region.getY() + region.getHeight() - 1);
        int right = clamp((int) Math.ceil(x1), left + 1, region.getX() + region.getWidth());
        int bottom = clamp((int) Math.ceil(y1), top + 1, region.getY() + region.getHeight());
        return new TokenRegion(box.rowStart(), box.rowEnd(), box.colStart(), box.colEnd(),
                new PixelRegion(left, top, right - left, bottom - top));
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
