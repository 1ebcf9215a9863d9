package org.echostream.ingest.dicom;

/**
 * One item of the Sequence of Ultrasound Regions (0018,6011): a rectangle of the image with what it shows.
 * Coordinates are source pixels, both corners inclusive (PS3.3 C.8.5.5.1).
 *
 * @param spatialFormat Region Spatial Format (0018,6012): 1 = 2D tissue or flow, 2 = M-mode, 3 = spectral, 4 = waveform
 * @param dataType      Region Data Type (0018,6014): 1 = tissue, 2 = colour flow, ... 0x0A = ECG trace
 */
public record UltrasoundRegion(int spatialFormat, int dataType, long minX0, long minY0, long maxX1, long maxY1) {

    public static final int SPATIAL_FORMAT_2D = 1;
    public static final int DATA_TYPE_TISSUE = 1;

    public boolean isTwoDimensionalTissue() {
        return spatialFormat == SPATIAL_FORMAT_2D && dataType == DATA_TYPE_TISSUE;
    }
}
