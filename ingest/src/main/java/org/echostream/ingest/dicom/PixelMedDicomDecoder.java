package org.echostream.ingest.dicom;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * The PixelMed adapter: structure checked by {@link DicomScanner}, attributes read by PixelMed, pixels
 * read frame by frame (native in place, RLE by our decoder, JPEG family through ImageIO) and converted to
 * grayscale as they come, so that at most one colour frame is held at a time.
 */
public final class PixelMedDicomDecoder implements DicomDecoder {

    private final DicomLimits limits;
    private final DicomScanner scanner;

    public PixelMedDicomDecoder(DicomLimits limits) {
        this.limits = limits;
        this.scanner = new DicomScanner(limits);
    }

    @Override
    public DecodeOutcome decode(ByteBuffer file) {
        String transferSyntaxUid = null;
        InstanceAttributes attributes = null;
        try {
            ScannedObject scanned = scanner.scan(file);
            transferSyntaxUid = scanned.transferSyntaxUid();
            attributes = PixelMedAttributeReader.read(scanned);
            if (scanned.pixelData() == null) {
                return new DecodeOutcome.WithoutPixels(attributes, transferSyntaxUid);
            }
            return new DecodeOutcome.Decoded(attributes, transferSyntaxUid, pixels(scanned, attributes));
        } catch (DicomInputException e) {
            if (attributes == null && e.soundPart() != null) {
                transferSyntaxUid = e.soundPart().transferSyntaxUid();
                attributes = attributesOrNull(e.soundPart());
            }
            return new DecodeOutcome.Rejected(e.reason(), e.getMessage(), attributes, transferSyntaxUid);
        } catch (OutOfMemoryError e) {
            // The buffers of this decode are garbage once we return; what the file declared is in the reason, nothing of its content.
            return new DecodeOutcome.Rejected(RejectReason.DECODE_OUT_OF_MEMORY, outOfMemory(attributes), attributes, transferSyntaxUid);
        } catch (RuntimeException e) {
            // Not a failure we know as bad input: still never fatal to the caller, and named so it can be reported.
            return new DecodeOutcome.Rejected(RejectReason.DECODER_FAILURE,
                    "the decoder failed unexpectedly (" + e.getClass().getName() + ": " + e.getMessage() + ")", attributes, transferSyntaxUid);
        }
    }

    private static String outOfMemory(InstanceAttributes attributes) {
        if (attributes == null || attributes.pixels() == null) {
            return "decoding ran out of memory before the image pixel module was read";
        }
        InstanceAttributes.PixelModule p = attributes.pixels();
        return String.format("decoding %d frames of %dx%d with %d samples of %d bits ran out of memory", p.frames(), p.columns(), p.rows(),
                p.samplesPerPixel(), p.bitsAllocated());
    }

    private static InstanceAttributes attributesOrNull(ScannedObject soundPart) {
        try {
            return PixelMedAttributeReader.read(soundPart);
        } catch (DicomInputException | RuntimeException e) {
            return null; // the rejection stands on its first reason; the instance just stays unnamed
        }
    }

    private GrayLoop pixels(ScannedObject scanned, InstanceAttributes attributes) throws DicomInputException {
        if (scanned.pixelData() instanceof PixelDataLocation.Unsupported unsupported) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT, unsupported.element() + " is not an image ingest converts");
        }
        TransferSyntax.Codec codec = scanned.codec();
        if (codec == TransferSyntax.Codec.UNSUPPORTED) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_TRANSFER_SYNTAX,
                    scanned.transferSyntaxTitle() + " (" + scanned.transferSyntaxUid() + ") cannot be decoded here; send it uncompressed, RLE, JPEG or JPEG 2000");
        }
        PixelFormat format = PixelFormat.of(attributes.pixels(), limits);
        GrayConverter converter = new GrayConverter(format, attributes.palette());
        int frameSize = format.pixels();
        FrameBuffer buffer = new FrameBuffer();
        ByteBuffer data = scanned.dataset();
        // Every length and fragment table is checked before the loop's buffer is allocated: a file that
        // declares 256 MiB of frames and holds 100 bytes of them is refused without asking for the 256 MiB.
        byte[] gray;
        if (scanned.pixelData() instanceof PixelDataLocation.Native nativePixels) {
            if (codec != TransferSyntax.Codec.NATIVE) {
                throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                        "Pixel Data has a defined length although " + scanned.transferSyntaxTitle() + " encapsulates it");
            }
            checkNativeLength(nativePixels, format);
            gray = new byte[format.frames() * frameSize];
            FrameBuffer.Colour colour = NativeFrameReader.colourOf(format.photometric());
            for (int f = 0; f < format.frames(); f++) {
                NativeFrameReader.read(data, nativePixels, format, scanned.bigEndian(), f, colour, buffer);
                converter.convert(buffer, gray, f * frameSize);
            }
        } else if (scanned.pixelData() instanceof PixelDataLocation.Encapsulated encapsulated) {
            if (codec == TransferSyntax.Codec.NATIVE) {
                throw new DicomInputException(RejectReason.MALFORMED_DATASET,
                        "Pixel Data are encapsulated although " + scanned.transferSyntaxTitle() + " is not a compressed transfer syntax");
            }
            List<List<PixelDataLocation.Fragment>> frames = EncapsulatedFrames.split(data, encapsulated, format.frames(), codec);
            gray = new byte[format.frames() * frameSize];
            decodeEncapsulated(data, frames, codec, format, converter, buffer, gray);
        } else {
            throw new IllegalStateException("unknown pixel data location " + scanned.pixelData().getClass().getSimpleName());
        }
        return new GrayLoop(format.frames(), format.rows(), format.columns(), gray);
    }

    private static void decodeEncapsulated(ByteBuffer data, List<List<PixelDataLocation.Fragment>> frames, TransferSyntax.Codec codec,
                                           PixelFormat format, GrayConverter converter, FrameBuffer buffer, byte[] gray)
            throws DicomInputException {
        int frameSize = format.pixels();
        if (codec == TransferSyntax.Codec.RLE) {
            RleDecoder rle = new RleDecoder();
            FrameBuffer.Colour colour = NativeFrameReader.colourOf(format.photometric());
            for (int f = 0; f < frames.size(); f++) {
                PixelDataLocation.Fragment fragment = frames.get(f).get(0);
                rle.decode(data, fragment.offset(), fragment.length(), format, colour, f, buffer);
                converter.convert(buffer, gray, f * frameSize);
            }
            return;
        }
        try (ImageIoFrameDecoder codecs = new ImageIoFrameDecoder()) {
            for (int f = 0; f < frames.size(); f++) {
                codecs.decode(EncapsulatedFrames.bytes(data, frames.get(f)), codec, format, f, buffer);
                converter.convert(buffer, gray, f * frameSize);
            }
        }
    }

    private static void checkNativeLength(PixelDataLocation.Native pixels, PixelFormat format) throws DicomInputException {
        long needed = format.nativeFrameBytes() * format.frames();
        if (pixels.length() < needed) {
            throw new DicomInputException(RejectReason.TRUNCATED_PIXEL_DATA, String.format(
                    "Pixel Data hold %,d bytes; %d frames of %dx%d, %d samples of %d bits need %,d",
                    pixels.length(), format.frames(), format.columns(), format.rows(), format.samples(), format.bitsAllocated(), needed));
        }
        if ((format.photometric() == Photometric.YBR_FULL_422 || format.photometric() == Photometric.YBR_PARTIAL_422)
                && (format.bitsAllocated() != 8 || format.columns() % 2 != 0)) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT,
                    format.photometric().dicomName() + " is decoded for 8-bit samples and an even number of columns only");
        }
    }
}
