package org.echostream.ingest.prep;

import java.util.List;
import org.echostream.contracts.RegionSource;
import org.echostream.ingest.dicom.GrayLoop;
import org.echostream.ingest.dicom.UltrasoundRegion;

/**
 * Finds the imaging region to crop. prep-1: the first 2D tissue region of the Sequence of Ultrasound
 * Regions (corners inclusive, clamped to the frame: some vendors give MaxX1 = Columns). Without one, the
 * region is found from the pixels: burned-in text, patient details and calipers never change over the
 * loop, the imaging sector always does. The sector is the largest 8-connected set of changing pixels,
 * filled row by row between its leftmost and rightmost pixel (a fan is convex along each row, and dark
 * blood pools inside it may barely change).
 */
public final class RegionFinder {

    /**
     * @param motionThreshold    grey levels a pixel's range over the loop must exceed to count as changing
     *                           (lossy compression makes static text flicker by a few levels)
     * @param minSectorFraction  the smallest sector, as a fraction of the frame, that counts as a moving image
     */
    public record Settings(int motionThreshold, double minSectorFraction) {
    }

    /** What the search found. */
    public sealed interface Result {
        record Found(CropRegion region) implements Result {
        }

        record NoMotion(String detail) implements Result {
        }
    }

    private RegionFinder() {
    }

    public static Result find(List<UltrasoundRegion> regions, GrayLoop loop, Settings settings) {
        for (UltrasoundRegion region : regions) {
            if (region.isTwoDimensionalTissue()) {
                CropRegion declared = clamp(region, loop);
                if (declared != null) {
                    return new Result.Found(declared);
                }
                break; // the first tissue region is the one prep-1 names; an impossible one means detect instead
            }
        }
        return detect(loop, settings);
    }

    private static CropRegion clamp(UltrasoundRegion r, GrayLoop loop) {
        long x0 = Math.max(0, r.minX0());
        long y0 = Math.max(0, r.minY0());
        long x1 = Math.min(loop.columns() - 1L, r.maxX1());
        long y1 = Math.min(loop.rows() - 1L, r.maxY1());
        if (x0 >= x1 || y0 >= y1) {
            return null;
        }
        return new CropRegion((int) x0, (int) y0, (int) (x1 - x0 + 1), (int) (y1 - y0 + 1), RegionSource.ULTRASOUND_REGIONS, null);
    }

    static Result detect(GrayLoop loop, Settings settings) {
        int rows = loop.rows();
        int columns = loop.columns();
        int size = rows * columns;
        byte[] px = loop.pixels();
        int[] min = new int[size];
        int[] max = new int[size];
        java.util.Arrays.fill(min, 255);
        for (int f = 0; f < loop.frames(); f++) {
            int base = f * size;
            for (int p = 0; p < size; p++) {
                int v = px[base + p] & 0xFF;
                if (v < min[p]) {
                    min[p] = v;
                }
                if (v > max[p]) {
                    max[p] = v;
                }
            }
        }
        boolean[] changing = new boolean[size];
        int changingCount = 0;
        for (int p = 0; p < size; p++) {
            if (max[p] - min[p] > settings.motionThreshold()) {
                changing[p] = true;
                changingCount++;
            }
        }
        int minPixels = (int) Math.ceil(settings.minSectorFraction() * size);
        if (changingCount < Math.max(1, minPixels)) {
            return new Result.NoMotion(String.format(
                    "only %,d of %,d pixels change by more than %d grey levels over the loop: no moving image to score",
                    changingCount, size, settings.motionThreshold()));
        }
        int[] component = largestComponent(changing, rows, columns);
        int[] label = new int[size];
        int minRow = rows;
        int maxRow = -1;
        int minCol = columns;
        int maxCol = -1;
        for (int p : component) {
            label[p] = 1;
            int r = p / columns;
            int c = p % columns;
            minRow = Math.min(minRow, r);
            maxRow = Math.max(maxRow, r);
            minCol = Math.min(minCol, c);
            maxCol = Math.max(maxCol, c);
        }
        if (component.length < Math.max(1, minPixels) || maxRow <= minRow || maxCol <= minCol) {
            return new Result.NoMotion(String.format(
                    "the largest moving area has %,d pixels, less than %.1f%% of the frame: no imaging sector found",
                    component.length, 100 * settings.minSectorFraction()));
        }
        int width = maxCol - minCol + 1;
        int height = maxRow - minRow + 1;
        boolean[] sector = new boolean[width * height];
        for (int r = minRow; r <= maxRow; r++) {
            int left = -1;
            int right = -1;
            for (int c = minCol; c <= maxCol; c++) {
                if (label[r * columns + c] == 1) {
                    if (left < 0) {
                        left = c;
                    }
                    right = c;
                }
            }
            for (int c = left; left >= 0 && c <= right; c++) {
                sector[(r - minRow) * width + (c - minCol)] = true;
            }
        }
        return new Result.Found(new CropRegion(minCol, minRow, width, height, RegionSource.DETECTED, sector));
    }

    /** Pixel indices of the largest 8-connected set of flagged pixels (breadth-first, no recursion). */
    private static int[] largestComponent(boolean[] flagged, int rows, int columns) {
        int size = rows * columns;
        boolean[] seen = new boolean[size];
        int[] queue = new int[size];
        int[] best = new int[0];
        for (int start = 0; start < size; start++) {
            if (!flagged[start] || seen[start]) {
                continue;
            }
            int head = 0;
            int tail = 0;
            queue[tail++] = start;
            seen[start] = true;
            while (head < tail) {
                int p = queue[head++];
                int r = p / columns;
                int c = p % columns;
                for (int dr = -1; dr <= 1; dr++) {
                    for (int dc = -1; dc <= 1; dc++) {
                        int rr = r + dr;
                        int cc = c + dc;
                        if ((dr != 0 || dc != 0) && rr >= 0 && rr < rows && cc >= 0 && cc < columns) {
                            int q = rr * columns + cc;
                            if (flagged[q] && !seen[q]) {
                                seen[q] = true;
                                queue[tail++] = q;
                            }
                        }
                    }
                }
            }
            if (tail > best.length) {
                best = java.util.Arrays.copyOf(queue, tail);
            }
        }
        return best;
    }
}
