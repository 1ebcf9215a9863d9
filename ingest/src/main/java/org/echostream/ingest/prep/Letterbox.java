package org.echostream.ingest.prep;

/**
 * prep-1 step 6 geometry: scale {@code s = min(H/h, W/w)}, resized size {@code max(1, floor(h*s + 0.5))}
 * by {@code max(1, floor(w*s + 0.5))}, centred with zero bands ({@code (H - nh) div 2} rows above).
 */
public record Letterbox(double scale, int resizedHeight, int resizedWidth, int padY, int padX) {

    public static Letterbox fit(int sourceHeight, int sourceWidth, int height, int width) {
        double s = Math.min((double) height / sourceHeight, (double) width / sourceWidth);
        int nh = Math.min(height, Math.max(1, (int) Math.floor(sourceHeight * s + 0.5)));
        int nw = Math.min(width, Math.max(1, (int) Math.floor(sourceWidth * s + 0.5)));
        return new Letterbox(s, nh, nw, (height - nh) / 2, (width - nw) / 2);
    }
}
