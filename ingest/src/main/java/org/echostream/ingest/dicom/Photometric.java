package org.echostream.ingest.dicom;

import java.util.Arrays;

/** Photometric Interpretation (0028,0004) values ingest converts to grayscale. */
public enum Photometric {
    MONOCHROME1("MONOCHROME1", 1),
    MONOCHROME2("MONOCHROME2", 1),
    PALETTE_COLOR("PALETTE COLOR", 1),
    RGB("RGB", 3),
    YBR_FULL("YBR_FULL", 3),
    YBR_FULL_422("YBR_FULL_422", 3),
    YBR_PARTIAL_422("YBR_PARTIAL_422", 3),
    YBR_RCT("YBR_RCT", 3),
    YBR_ICT("YBR_ICT", 3);

    private final String dicomName;
    private final int samples;

    Photometric(String dicomName, int samples) {
        this.dicomName = dicomName;
        this.samples = samples;
    }

    public int samples() {
        return samples;
    }

    /** The defined term as written in DICOM ("PALETTE COLOR"). */
    public String dicomName() {
        return dicomName;
    }

    /** The photometric interpretation with this defined term, or null. */
    public static Photometric parse(String value) {
        if (value == null) {
            return null;
        }
        String term = value.trim().toUpperCase();
        return Arrays.stream(values()).filter(p -> p.dicomName.equals(term)).findFirst().orElse(null);
    }
}
