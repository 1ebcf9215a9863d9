package org.echostream.ingest.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * A synthetic cine loop that looks like an echo to ingest: a fan-shaped sector whose speckle brightness
 * beats at a given period, burned-in static text above it and a static ECG baseline below. Deterministic.
 */
public final class SyntheticEcho {

    public final int rows;
    public final int columns;
    public final int frames;
    public final double frameTimeMs;
    public final double periodSeconds;
    /** The sector's bounding box (inclusive corners): x0, y0, x1, y1. */
    public final int[] sector;
    private final byte[][] pixels;

    public SyntheticEcho(int rows, int columns, int frames, double frameTimeMs, double periodSeconds) {
        this.rows = rows;
        this.columns = columns;
        this.frames = frames;
        this.frameTimeMs = frameTimeMs;
        this.periodSeconds = periodSeconds;
        int apexX = columns / 2;
        int apexY = rows / 6;
        int radius = rows * 2 / 3;
        int x0 = columns;
        int x1 = -1;
        int y1 = -1;
        pixels = new byte[frames][rows * columns];
        long seed = 12345;
        for (int f = 0; f < frames; f++) {
            // a beat: the wall moves out fast (30% of the period) and back slowly, as a ventricle fills and empties
            double phase = (f * frameTimeMs / 1000.0 / periodSeconds) % 1.0;
            double beat = phase < 0.3 ? phase / 0.3 : 1 - (phase - 0.3) / 0.7;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < columns; c++) {
                    int dx = c - apexX;
                    int dy = r - apexY;
                    double dist = Math.sqrt(dx * dx + dy * dy);
                    boolean inFan = dy > 0 && dist < radius && Math.abs(dx) < dy * 0.8;
                    int v = 0;
                    if (inFan) {
                        seed = seed * 6364136223846793005L + 1442695040888963407L;
                        int speckle = (int) ((seed >>> 33) % 60);
                        double wall = Math.abs(dist - radius * (0.45 + 0.15 * beat)) < 6 ? 120 : 0;
                        v = 30 + speckle + (int) wall;
                        x0 = Math.min(x0, c);
                        x1 = Math.max(x1, c);
                        y1 = Math.max(y1, r);
                    } else if (r < apexY / 2 && c > 4 && c < columns / 3 && (c / 3 + r) % 5 == 0) {
                        v = 220; // burned-in text: static
                    } else if (r == rows - 4 && c > 2 && c < columns - 2) {
                        v = 200; // ECG baseline: static
                    }
                    pixels[f][r * columns + c] = (byte) Math.min(255, v);
                }
            }
        }
        this.sector = new int[] {x0, apexY + 1, x1, y1};
    }

    public byte[] frame(int f) {
        return pixels[f];
    }

    /** All frames concatenated, native 8-bit MONOCHROME2. */
    public byte[] allFrames() {
        byte[] out = new byte[frames * rows * columns];
        for (int f = 0; f < frames; f++) {
            System.arraycopy(pixels[f], 0, out, f * rows * columns, rows * columns);
        }
        return out;
    }

    /**
     * The loop as RGB, as many carts store it: grey levels in all three channels and a green ECG trace sweeping
     * below the sector (the only coloured, moving part outside it).
     */
    public byte[] toPart10Rgb(String sopUid) {
        byte[] rgb = new byte[frames * rows * columns * 3];
        for (int f = 0; f < frames; f++) {
            int sweep = (int) ((long) f * columns / Math.max(1, frames));
            for (int p = 0; p < rows * columns; p++) {
                int v = pixels[f][p] & 0xFF;
                int o = (f * rows * columns + p) * 3;
                rgb[o] = (byte) v;
                rgb[o + 1] = (byte) v;
                rgb[o + 2] = (byte) v;
                int r = p / columns;
                int c = p % columns;
                if (r == rows - 8 + (int) (3 * Math.sin(c / 5.0)) && c < sweep) {
                    rgb[o] = 0;
                    rgb[o + 1] = (byte) 220;
                    rgb[o + 2] = 0;
                }
            }
        }
        Part10Writer w = Part10Writer.explicit().usImage(sopUid, rows, columns, frames, "RGB",
                g -> g.string(0x0018, 0x1063, "DS", String.valueOf(frameTimeMs)));
        w.element(0x7FE0, 0x0010, "OB", rgb);
        return w.toPart10(Part10Writer.EXPLICIT_LE, sopUid);
    }

    /** The loop as an Ultrasound Multi-frame Part 10 file. */
    public byte[] toPart10(String sopUid, boolean withRegion, boolean rle, Integer heartRate) {
        Part10Writer w = Part10Writer.explicit().usImage(sopUid, rows, columns, frames, "MONOCHROME2", g -> {
            g.string(0x0018, 0x1063, "DS", String.valueOf(frameTimeMs));
            if (heartRate != null) {
                g.string(0x0018, 0x1088, "IS", String.valueOf(heartRate));
            }
            if (withRegion) {
                g.sequence(0x0018, 0x6011, Part10Writer.item()
                        .us(0x0018, 0x6012, 1).us(0x0018, 0x6014, 1)
                        .ul(0x0018, 0x6018, sector[0]).ul(0x0018, 0x601A, sector[1])
                        .ul(0x0018, 0x601C, sector[2]).ul(0x0018, 0x601E, sector[3]));
            }
        });
        if (rle) {
            List<byte[]> fragments = new ArrayList<>();
            for (int f = 0; f < frames; f++) {
                fragments.add(Part10Writer.rleFrame(List.of(pixels[f])));
            }
            w.encapsulated(fragments);
            return w.toPart10(Part10Writer.RLE, sopUid);
        }
        w.element(0x7FE0, 0x0010, "OB", allFrames());
        return w.toPart10(Part10Writer.EXPLICIT_LE, sopUid);
    }
}
