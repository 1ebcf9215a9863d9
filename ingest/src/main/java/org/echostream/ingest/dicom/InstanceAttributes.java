package org.echostream.ingest.dicom;

import java.util.List;

/**
 * The attributes of one instance that ingest uses, read once by the parser. Identifiers of the patient
 * are kept apart in {@link StudyAttributes}.
 */
public record InstanceAttributes(
        String sopClassUid,
        String sopInstanceUid,
        String studyInstanceUid,
        String seriesInstanceUid,
        String modality,
        String manufacturer,
        Integer seriesNumber,
        String seriesDescription,
        List<String> imageType,
        String bodyPartExamined,
        PixelModule pixels,
        Timing timing,
        Double heartRate,
        List<UltrasoundRegion> regions,
        PaletteTables palette,
        StudyAttributes study) {

    public InstanceAttributes {
        imageType = imageType == null ? List.of() : List.copyOf(imageType);
        regions = regions == null ? List.of() : List.copyOf(regions);
    }

    /**
     * The Image Pixel module. Values are as found (0 when absent) and are checked before any buffer is sized.
     *
     * @param frames Number of Frames (0028,0008), 1 when absent
     */
    public record PixelModule(int rows, int columns, int samplesPerPixel, int bitsAllocated, int bitsStored,
                              int pixelRepresentation, int planarConfiguration, String photometric, int frames) {
    }

    /** Frame timing attributes as found; each may be null. Milliseconds for times, frames per second for rates. */
    public record Timing(double[] frameTimeVectorMs, Double frameTimeMs, Double cineRate, Double recommendedDisplayFrameRate) {
    }
}
