package org.echostream.ingest.prep;

/** Why a well-formed instance is kept but not cut into clips for the model. */
public enum NotScoredReason {
    /** No pixel data at all (structured report, DICOMDIR, presentation state...). */
    NO_PIXEL_DATA,
    /** Not an ultrasound image (Modality or SOP Class say otherwise). */
    NOT_ULTRASOUND,
    /** An ultrasound examination of something other than the heart (Image Type or Body Part Examined say so). */
    NON_CARDIAC,
    /** One frame: a still image, not a cine loop. */
    SINGLE_FRAME,
    /** Fewer frames, once resampled to the model's rate, than the model needs to score. */
    TOO_FEW_FRAMES,
    /** Nothing times the frames (no Frame Time, Frame Time Vector, Cine Rate or Recommended Display Frame Rate). */
    NO_FRAME_TIMING,
    /** No moving imaging sector could be found. */
    NO_MOTION
}
