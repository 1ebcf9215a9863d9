package org.echostream.ingest.dicom;

/**
 * A decoded cine loop as one 8-bit grey channel: {@code frames} images of {@code rows} x {@code columns},
 * frame-major, row-major.
 */
public record GrayLoop(int frames, int rows, int columns, byte[] pixels) {

    public GrayLoop {
        if ((long) frames * rows * columns != pixels.length) {
            throw new IllegalArgumentException(frames + " frames of " + columns + "x" + rows + " do not fill " + pixels.length + " bytes");
        }
    }

    public int frameSize() {
        return rows * columns;
    }

    public int get(int frame, int row, int column) {
        return pixels[frame * frameSize() + row * columns + column] & 0xFF;
    }

    @Override
    public String toString() {
        return "GrayLoop[" + frames + " x " + columns + "x" + rows + "]";
    }
}
