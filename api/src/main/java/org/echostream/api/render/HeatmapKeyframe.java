package org.echostream.api.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;
import org.echostream.contracts.CropGeometry;

/**
 * Draws a keyframe: the cleaned sector at model resolution with the clip's surprise heatmap over it.
 * The heatmap is the clip's per-token surprise averaged over the token time slots (where in the image the
 * clip surprised the predictor), bilinearly upsampled from the token grid to pixels, coloured with a
 * perceptually ordered ramp (black-purple-red-orange-yellow) and blended in proportion to its value, so
 * unsurprising tissue stays readable. One colour scale per loop ({@code scaleMax}) keeps clips comparable.
 */
public final class HeatmapKeyframe {

    /** Below this fraction of the loop's maximum, nothing is drawn: low surprise is noise, not a finding. */
    private static final double FLOOR = 0.2;
    /** Blend weight at the maximum; the sector must stay visible under the colour. */
    private static final double MAX_ALPHA = 0.6;
    private static final int[][] RAMP = {{0, 0, 4}, {87, 16, 110}, {188, 55, 84}, {249, 142, 9}, {252, 255, 164}};

    /** An event's region on the token grid, outlined on the keyframe (rows and columns inclusive). */
    public record Box(int rowStart, int rowEnd, int colStart, int colEnd) {
    }

    /**
     * @param frame     height*width uint8 pixels
     * @param grid      [time slots, rows, columns], or null to draw the frame alone
     * @param tokens    per-token surprise, time-row-column order, or null
     * @param scaleMax  surprise drawn at full colour
     * @param upscale   output pixels per model pixel
     */
    public static byte[] png(int width, int height, byte[] frame, CropGeometry crop, int[] grid, float[] tokens, double scaleMax,
                             List<Box> boxes, int upscale) {
        if (frame.length != width * height) {
            throw new IllegalArgumentException("frame holds " + frame.length + " bytes, expected " + width + "x" + height);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        double[] heat = grid == null || tokens == null ? null : upsample(spatialMean(grid, tokens), grid[1], grid[2], width, height);
        int[] sector = sector(crop, width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int g = frame[y * width + x] & 0xff;
                int r = g;
                int gr = g;
                int b = g;
                boolean inSector = x >= sector[0] && x < sector[2] && y >= sector[1] && y < sector[3];
                if (heat != null && inSector && scaleMax > 0) {
                    double v = Math.min(1.0, Math.max(0.0, heat[y * width + x] / scaleMax));
                    if (v >= FLOOR) {
                        int[] c = colour(v);
                        double a = MAX_ALPHA * (v - FLOOR) / (1 - FLOOR) + 0.15;
                        r = blend(g, c[0], a);
                        gr = blend(g, c[1], a);
                        b = blend(g, c[2], a);
                    }
                }
                image.setRGB(x, y, (r << 16) | (gr << 8) | b);
            }
        }
        BufferedImage out = new BufferedImage(width * upscale, height * upscale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, width * upscale, height * upscale, null);
            if (grid != null && boxes != null) {
                double cellW = (double) width * upscale / grid[2];
                double cellH = (double) height * upscale / grid[1];
                g.setColor(new Color(0, 220, 255));
                g.setStroke(new BasicStroke(Math.max(1f, upscale / 1.5f)));
                for (Box box : boxes) {
                    g.drawRect((int) Math.round(box.colStart() * cellW), (int) Math.round(box.rowStart() * cellH),
                            (int) Math.round((box.colEnd() - box.colStart() + 1) * cellW) - 1,
                            (int) Math.round((box.rowEnd() - box.rowStart() + 1) * cellH) - 1);
                }
            }
        } finally {
            g.dispose();
        }
        return encode(out);
    }

    /** Mean over time slots: [rows * columns]. */
    static double[] spatialMean(int[] grid, float[] tokens) {
        int t = grid[0];
        int rows = grid[1];
        int cols = grid[2];
        if (tokens.length != t * rows * cols) {
            throw new IllegalArgumentException("token grid " + t + "x" + rows + "x" + cols + " needs " + t * rows * cols + " values, got " + tokens.length);
        }
        double[] mean = new double[rows * cols];
        for (int s = 0; s < t; s++) {
            for (int i = 0; i < rows * cols; i++) {
                mean[i] += tokens[s * rows * cols + i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= t;
        }
        return mean;
    }

    /** Bilinear, sampling token centres: token (r, c) covers pixels [c*w/cols, (c+1)*w/cols). */
    static double[] upsample(double[] cells, int rows, int cols, int width, int height) {
        double[] out = new double[width * height];
        for (int y = 0; y < height; y++) {
            double gy = Math.min(rows - 1.0, Math.max(0.0, (y + 0.5) * rows / height - 0.5));
            int y0 = (int) Math.floor(gy);
            int y1 = Math.min(rows - 1, y0 + 1);
            double fy = gy - y0;
            for (int x = 0; x < width; x++) {
                double gx = Math.min(cols - 1.0, Math.max(0.0, (x + 0.5) * cols / width - 0.5));
                int x0 = (int) Math.floor(gx);
                int x1 = Math.min(cols - 1, x0 + 1);
                double fx = gx - x0;
                double top = cells[y0 * cols + x0] * (1 - fx) + cells[y0 * cols + x1] * fx;
                double bottom = cells[y1 * cols + x0] * (1 - fx) + cells[y1 * cols + x1] * fx;
                out[y * width + x] = top * (1 - fy) + bottom * fy;
            }
        }
        return out;
    }

    /** The resized imaging region inside the model frame: [x0, y0, x1, y1), the letterbox excluded. */
    static int[] sector(CropGeometry crop, int width, int height) {
        if (crop == null) {
            return new int[] {0, 0, width, height};
        }
        int x0 = Math.max(0, crop.getPadX());
        int y0 = Math.max(0, crop.getPadY());
        int x1 = Math.min(width, x0 + (int) Math.round(crop.getRegion().getWidth() * crop.getScale()));
        int y1 = Math.min(height, y0 + (int) Math.round(crop.getRegion().getHeight() * crop.getScale()));
        return x1 <= x0 || y1 <= y0 ? new int[] {0, 0, width, height} : new int[] {x0, y0, x1, y1};
    }

    static int[] colour(double v) {
        double pos = v * (RAMP.length - 1);
        int i = Math.min(RAMP.length - 2, (int) Math.floor(pos));
        double f = pos - i;
        return new int[] {
            (int) Math.round(RAMP[i][0] + (RAMP[i + 1][0] - RAMP[i][0]) * f),
            (int) Math.round(RAMP[i][1] + (RAMP[i + 1][1] - RAMP[i][1]) * f),
            (int) Math.round(RAMP[i][2] + (RAMP[i + 1][2] - RAMP[i][2]) * f)};
    }

    private static int blend(int under, int over, double alpha) {
        return (int) Math.round(under * (1 - alpha) + over * alpha);
    }

    static byte[] encode(BufferedImage image) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this Java runtime");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG", e);
        }
    }

    private HeatmapKeyframe() {
    }
}
