package org.echostream.embedder.core;

/**
 * Stable reason codes of the embedder's dead letters (besides the decoding codes of
 * {@code RecordDecodingException}). Metrics and dashboards group by them: never rename one.
 */
public final class RejectReasons {

    /** frames/height/width or the pixel byte count differ from the model's clip spec. */
    public static final String CLIP_SHAPE_MISMATCH = "CLIP_SHAPE_MISMATCH";
    /** The clip was cut with another preprocessing version than the model was trained on. */
    public static final String PREPROCESSING_MISMATCH = "PREPROCESSING_MISMATCH";
    /** The predictor is conditioned on the RR interval and the clip carries no usable heart rate. */
    public static final String HEART_RATE_UNUSABLE = "HEART_RATE_UNUSABLE";
    /** The encoder or the predictor produced NaN or infinity for this clip. */
    public static final String NON_FINITE_OUTPUT = "NON_FINITE_OUTPUT";
    /** ONNX Runtime failed on this clip alone (it was retried outside its batch). */
    public static final String INFERENCE_FAILED = "INFERENCE_FAILED";

    private RejectReasons() {
    }
}
