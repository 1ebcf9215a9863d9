package org.echostream.ingest.dicom;

import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * JPEG (baseline and extended 8-bit: the JDK's decoder, raw components without colour conversion),
 * JPEG lossless (PixelMed's ImageIO reader) and JPEG 2000 (jai-imageio) frames. Each codestream's
 * header is checked against the attributes before the codec allocates anything from it. One instance
 * per decoding thread: ImageIO readers are not thread-safe.
 */
final class ImageIoFrameDecoder implements AutoCloseable {

    private static final ImageReaderSpi JDK_JPEG = jdkJpegReader();

    static {
        ImageIO.setUseCache(false); // frames are small and in memory: no temporary files
    }

    private ImageReader jpeg;
    private ImageReader jpegLossless;
    private ImageReader jpeg2000;
    private int[] samples = new int[0];

    void decode(byte[] frameBytes, TransferSyntax.Codec codec, PixelFormat format, int frame, FrameBuffer out) throws DicomInputException {
        CodestreamHeader header = codec == TransferSyntax.Codec.JPEG_2000
                ? CodestreamHeader.jpeg2000(frameBytes, frame)
                : CodestreamHeader.jpeg(frameBytes, frame, format.photometric() != Photometric.RGB);
        if (header.width() != format.columns() || header.height() != format.rows() || header.components() != format.samples()) {
            throw new DicomInputException(RejectReason.CORRUPT_COMPRESSED_FRAME, String.format(
                    "frame %d: the codestream is %dx%d with %d components, the attributes say %dx%d with %d samples",
                    frame, header.width(), header.height(), header.components(), format.columns(), format.rows(), format.samples()));
        }
        if (header.precision() > 16) {
            throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT, "frame " + frame + ": " + header.precision() + "-bit codestream");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(frameBytes))) {
            switch (codec) {
                case JPEG -> {
                    if (header.precision() != 8 || header.sofMarker() == 0xC3) {
                        throw new DicomInputException(RejectReason.UNSUPPORTED_PIXEL_FORMAT, "frame " + frame + ": " + header.precision()
                                + "-bit JPEG (start-of-frame 0x" + Integer.toHexString(header.sofMarker()) + ") cannot be decoded here; only 8-bit lossy JPEG is");
                    }
                    jpeg = reader(jpeg, JDK_JPEG);
                    jpeg.setInput(in);
                    FrameBuffer.Colour colour = header.components() == 1 ? monochrome(format)
                            : header.ycbcr() ? FrameBuffer.Colour.YBR : FrameBuffer.Colour.RGB;
                    fromRaster(jpeg.readRaster(0, null), format, colour, out);
                }
                case JPEG_LOSSLESS -> {
                    jpegLossless = reader(jpegLossless, new com.pixelmed.imageio.JPEGLosslessImageReaderSpi());
                    jpegLossless.setInput(in);
                    fromRaster(jpegLossless.read(0).getRaster(), format, colourOf(format, false), out);
                }
                case JPEG_2000 -> {
                    jpeg2000 = reader(jpeg2000, new com.github.jaiimageio.jpeg2000.impl.J2KImageReaderSpi());
                    jpeg2000.setInput(in);
                    fromRaster(jpeg2000.read(0).getRaster(), format, colourOf(format, true), out);
                }
                default -> throw new IllegalArgumentException("not an ImageIO codec: " + codec);
            }
        } catch (DicomInputException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Codecs report corrupt streams with IIOException and with assorted unchecked exceptions alike.
            throw new DicomInputException(RejectReason.CORRUPT_COMPRESSED_FRAME,
                    "frame " + frame + " cannot be decoded (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    /** Lossless JPEG keeps the components as stored; a JPEG 2000 codestream with YBR_RCT/ICT undoes its colour transform. */
    private static FrameBuffer.Colour colourOf(PixelFormat format, boolean jpeg2000) {
        return switch (format.photometric()) {
            case MONOCHROME1, MONOCHROME2 -> monochrome(format);
            case PALETTE_COLOR -> FrameBuffer.Colour.PALETTE;
            case RGB -> FrameBuffer.Colour.RGB;
            case YBR_RCT, YBR_ICT -> jpeg2000 ? FrameBuffer.Colour.RGB : FrameBuffer.Colour.YBR;
            case YBR_FULL, YBR_FULL_422 -> FrameBuffer.Colour.YBR;
            case YBR_PARTIAL_422 -> FrameBuffer.Colour.YBR_PARTIAL;
        };
    }

    private static FrameBuffer.Colour monochrome(PixelFormat format) {
        return format.photometric() == Photometric.MONOCHROME1 ? FrameBuffer.Colour.GRAY_INVERTED
                : format.photometric() == Photometric.PALETTE_COLOR ? FrameBuffer.Colour.PALETTE : FrameBuffer.Colour.GRAY;
    }

    private void fromRaster(Raster raster, PixelFormat format, FrameBuffer.Colour colour, FrameBuffer out) throws DicomInputException {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        if (w != format.columns() || h != format.rows() || bands != format.samples()) {
            throw new DicomInputException(RejectReason.CORRUPT_COMPRESSED_FRAME, String.format(
                    "the codec produced %dx%d with %d bands, the attributes say %dx%d with %d samples",
                    w, h, bands, format.columns(), format.rows(), format.samples()));
        }
        int pixels = w * h;
        int bits = raster.getSampleModel().getSampleSize(0);
        if (bits <= 8 && raster.getSampleModel() instanceof PixelInterleavedSampleModel model
                && raster.getDataBuffer() instanceof DataBufferByte buffer && model.getPixelStride() == bands
                && model.getScanlineStride() == w * bands && isIdentity(model.getBandOffsets())
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            out.prepareBytes(pixels, bands, false, colour);
            System.arraycopy(buffer.getData(), buffer.getOffset(), out.bytes, 0, pixels * bands);
            return;
        }
        if (samples.length < pixels) {
            samples = new int[pixels];
        }
        if (bits <= 8 && raster.getTransferType() == DataBuffer.TYPE_BYTE) {
            out.prepareBytes(pixels, bands, true, colour);
            for (int b = 0; b < bands; b++) {
                raster.getSamples(0, 0, w, h, b, samples);
                for (int p = 0; p < pixels; p++) {
                    out.bytes[b * pixels + p] = (byte) samples[p];
                }
            }
            return;
        }
        out.prepareWords(pixels, bands, true, colour, Math.min(16, Math.max(bits, format.bitsStored())));
        for (int b = 0; b < bands; b++) {
            raster.getSamples(0, 0, w, h, b, samples);
            System.arraycopy(samples, 0, out.words, b * pixels, pixels);
        }
    }

    private static boolean isIdentity(int[] offsets) {
        for (int i = 0; i < offsets.length; i++) {
            if (offsets[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static ImageReader reader(ImageReader existing, ImageReaderSpi spi) throws IOException {
        return existing != null ? existing : spi.createReaderInstance();
    }

    private static ImageReaderSpi jdkJpegReader() {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName("jpeg"); it.hasNext(); ) {
            ImageReader reader = it.next();
            if (reader.getClass().getName().startsWith("com.sun.imageio.plugins.jpeg")) {
                return reader.getOriginatingProvider();
            }
        }
        throw new IllegalStateException("this Java runtime has no built-in JPEG reader (javax.imageio)");
    }

    @Override
    public void close() {
        for (ImageReader r : new ImageReader[] {jpeg, jpegLossless, jpeg2000}) {
            if (r != null) {
                r.dispose();
            }
        }
    }
}
