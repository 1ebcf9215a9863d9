package org.echostream.ingest.dicom;

/**
 * Bounds checked before anything is allocated from values read in a file, so that a 1 KB file cannot ask
 * for 2 GB and a hostile nesting cannot exhaust the stack.
 *
 * @param maxFileBytes         largest instance accepted, bytes
 * @param maxInflatedBytes     largest data set a deflated instance may inflate to, bytes
 * @param maxFrames            most frames decoded from one instance
 * @param maxDecodedBytes      most bytes of grayscale frames (frames x rows x columns) held for one instance
 * @param maxFrameBytes        most bytes one decoded frame may occupy before it is converted to grayscale
 *                             (rows x columns x samples x bytes per held sample: 1 for 8-bit, 4 for wider)
 * @param maxDecodedPixelBytes most bytes of decoded pixel data one instance may declare
 *                             (frames x rows x columns x samples x bytes per sample)
 * @param maxDepth             deepest sequence nesting walked
 */
public record DicomLimits(long maxFileBytes, long maxInflatedBytes, int maxFrames, long maxDecodedBytes, long maxFrameBytes,
                          long maxDecodedPixelBytes, int maxDepth) {

    public DicomLimits {
        if (maxFileBytes <= 0 || maxInflatedBytes <= 0 || maxFrames <= 0 || maxDecodedBytes <= 0 || maxFrameBytes <= 0
                || maxDecodedPixelBytes <= 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("every DICOM limit must be positive: " + maxFileBytes + ", " + maxInflatedBytes
                    + ", " + maxFrames + ", " + maxDecodedBytes + ", " + maxFrameBytes + ", " + maxDecodedPixelBytes + ", " + maxDepth);
        }
        if (maxFileBytes > Integer.MAX_VALUE || maxInflatedBytes > Integer.MAX_VALUE || maxDecodedBytes > Integer.MAX_VALUE
                || maxFrameBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("DICOM limits above 2 GiB are not supported (one buffer per instance or frame)");
        }
    }
}
