package org.echostream.ingest.dicom;

/**
 * A validated Image Pixel module: the only combinations ingest decodes, with every size computed in
 * long arithmetic and checked before a buffer is sized from it.
 */
public record PixelFormat(int rows, int columns, int samples, int bitsAllocated, int bitsStored, boolean signed,
                          boolean planar, Photometric photometric, int frames) {

    public int pixels() {
        return rows * columns;
    }

    /** Bytes of one native (uncompressed) frame. YBR_FULL_422 keeps two luma samples and one pair of chroma per two pixels. */
    public long nativeFrameBytes() {
        long samplesPerFrame = photometric == Photometric.YBR_FULL_422 || photometric == Photometric.YBR_PARTIAL_422
                ? 2L * rows * columns
                : (long) rows * columns * samples;
        return samplesPerFrame * (bitsAllocated / 8);
    }

    /**
     * @throws DicomInputException with INVALID_PIXEL_MODULE, UNSUPPORTED_PIXEL_FORMAT or TOO_LARGE_DECODED
     */
    public static PixelFormat of(InstanceAttributes.PixelModule module, DicomLimits limits) throws DicomInputException {
        if (module.rows() <= 0 || module.columns() <= 0 || module.rows() > 0xFFFF || module.columns() > 0xFFFF) {
            throw new DicomInputException(RejectReason.INVALID_PIXEL_MODULE,
                    "Rows " + module.rows() + " and Columns " + module.columns() + " do not describe an image");
        }
        if (module.frames() <= 0) {
            throw new DicomInputException(RejectReason.INVALID_PIXEL_MODULE, "Number of Frames is " + module.frames());
        }
        if (module.photometric() == null) {
            throw new DicomInputException(RejectReason.INVALID_PIXEL_MODULE, "Photometric Interpretation (0028,0004) is missing");
        }
        Photometric photometric = Photometric.parse(module.photometric());
        if (photometric == null) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT,
                    "Photometric Interpretation " + printable(module.photometric()) + " is not converted to grayscale here");
        }
        if (module.samplesPerPixel() != photometric.samples()) {
            throw new DicomInputException(RejectReason.INVALID_PIXEL_MODULE, "Samples per Pixel " + module.samplesPerPixel()
                    + " does not match Photometric Interpretation " + photometric.dicomName());
        }
        if (module.bitsAllocated() != 8 && module.bitsAllocated() != 16) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT,
                    "Bits Allocated " + module.bitsAllocated() + ": only 8 and 16 bits per sample are decoded");
        }
        int bitsStored = module.bitsStored() <= 0 ? module.bitsAllocated() : module.bitsStored();
        if (bitsStored > module.bitsAllocated()) {
            throw new DicomInputException(RejectReason.INVALID_PIXEL_MODULE,
                    "Bits Stored " + bitsStored + " exceeds Bits Allocated " + module.bitsAllocated());
        }
        if (module.frames() > limits.maxFrames()) {
            throw new DicomInputException(RejectReason.TOO_LARGE_DECODED,
                    String.format("%,d frames, more than the %,d decoded per instance", module.frames(), limits.maxFrames()));
        }
        long decoded = (long) module.frames() * module.rows() * module.columns();
        if (decoded > limits.maxDecodedBytes()) {
            throw new DicomInputException(RejectReason.TOO_LARGE_DECODED, String.format(
                    "%,d frames of %dx%d need %,d bytes of grayscale, more than the %,d allowed per instance",
                    module.frames(), module.columns(), module.rows(), decoded, limits.maxDecodedBytes()));
        }
        // Sizes as declared, before any codec or buffer sees them: a 642-byte RLE file may declare one
        // 16384x16384 RGB frame, which passes the grey cap yet needs 768 MiB of samples to decode.
        int bytesPerSample = module.bitsAllocated() / 8;
        int heldBytesPerSample = module.bitsAllocated() == 8 ? 1 : Integer.BYTES;
        long frameBytes = (long) module.rows() * module.columns() * module.samplesPerPixel() * heldBytesPerSample;
        if (frameBytes > limits.maxFrameBytes()) {
            throw new DicomInputException(RejectReason.TOO_LARGE_DECODED, String.format(
                    "one frame of %dx%d with %d samples of %d bits needs %,d bytes to decode, more than the %,d allowed per frame",
                    module.columns(), module.rows(), module.samplesPerPixel(), module.bitsAllocated(), frameBytes, limits.maxFrameBytes()));
        }
        long pixelBytes = (long) module.frames() * module.rows() * module.columns() * module.samplesPerPixel() * bytesPerSample;
        if (pixelBytes > limits.maxDecodedPixelBytes()) {
            throw new DicomInputException(RejectReason.TOO_LARGE_DECODED, String.format(
                    "%,d frames of %dx%d with %d samples of %d bits declare %,d bytes of pixel data, more than the %,d allowed per instance",
                    module.frames(), module.columns(), module.rows(), module.samplesPerPixel(), module.bitsAllocated(), pixelBytes,
                    limits.maxDecodedPixelBytes()));
        }
        return new PixelFormat(module.rows(), module.columns(), module.samplesPerPixel(), module.bitsAllocated(), bitsStored,
                module.pixelRepresentation() == 1, module.planarConfiguration() == 1 && module.samplesPerPixel() > 1,
                photometric, module.frames());
    }

    private static String printable(String value) {
        String v = value.replaceAll("[^A-Za-z0-9_ ]", "?");
        return v.length() > 20 ? v.substring(0, 20) + "..." : v;
    }
}
