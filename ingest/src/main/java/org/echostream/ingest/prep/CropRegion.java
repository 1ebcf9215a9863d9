package org.echostream.ingest.prep;

import org.echostream.contracts.RegionSource;

/**
 * The rectangle of the source frames that is cropped, and which of its pixels belong to the imaging
 * sector when the rectangle was detected from the pixels.
 *
 * @param sector for DETECTED regions, width x height flags (row-major) of pixels inside the sector; null
 *               when the whole rectangle is imaging region (from the Sequence of Ultrasound Regions)
 */
public record CropRegion(int x, int y, int width, int height, RegionSource source, boolean[] sector) {

    public CropRegion {
        if (width < 1 || height < 1 || x < 0 || y < 0) {
            throw new IllegalArgumentException("empty or negative crop region " + x + "," + y + " " + width + "x" + height);
        }
        if (sector != null && sector.length != width * height) {
            throw new IllegalArgumentException("sector mask has " + sector.length + " flags for a " + width + "x" + height + " region");
        }
    }

    public boolean inSector(int row, int column) {
        return sector == null || sector[row * width + column];
    }

    @Override
    public String toString() {
        return "CropRegion[" + x + "," + y + " " + width + "x" + height + " " + source + "]";
    }
}
