package org.echostream.anomaly.series;

/**
 * Why a latents record cannot be used, for the dead-letter topic: a stable code and a sentence that names
 * the record and the fact. Never patient data: records carry UIDs only.
 */
public record Refusal(String reasonCode, String detail) {

    /** Record key is not the Series Instance UID in the record: the series would be split across partitions. */
    public static final String KEY_MISMATCH = "KEY_MISMATCH";
    /** The record contradicts itself (sizes, indices, frame rate, non-finite tokens). */
    public static final String INVALID_LATENTS = "INVALID_LATENTS";
    /** Latents of another model than the one the calibration belongs to. */
    public static final String MODEL_MISMATCH = "MODEL_MISMATCH";
    /** Clips shaped by another preprocessing than the calibrated model expects. */
    public static final String PREPROCESSING_MISMATCH = "PREPROCESSING_MISMATCH";
    /** Token grid or latent size differs from the calibrated model's. */
    public static final String SHAPE_MISMATCH = "SHAPE_MISMATCH";
    /** A clip that contradicts earlier clips of its loop (other clip count, other model). */
    public static final String INCOMPARABLE_LATENTS = "INCOMPARABLE_LATENTS";
    /** The service has no usable calibration, so it scores nothing (see the start-up log). */
    public static final String MODEL_NOT_CALIBRATED = "MODEL_NOT_CALIBRATED";
    /** An unexpected error while scoring this record; the record is skipped and the series goes on. */
    public static final String PROCESSING_ERROR = "PROCESSING_ERROR";
}
