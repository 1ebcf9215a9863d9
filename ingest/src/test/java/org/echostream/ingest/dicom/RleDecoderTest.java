package org.echostream.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.echostream.ingest.testing.Part10Writer;
import org.echostream.ingest.testing.TestFiles;
import org.junit.jupiter.api.Test;

class RleDecoderTest {

    @Test
    void decodes_the_echo_cine_to_the_palette_indices_pixelmed_decodes() throws Exception {
        byte[] file = Files.readAllBytes(TestFiles.ECHO_CINE);
        // PixelMed's own (slow) RLE decoder: the attribute list decompresses the pixel data on reading
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(file))) {
            list.read(in);
        }
        byte[][] pixelMedFrames = pixelMedFrames(list);

        ScannedObject scanned = new DicomScanner(TestFiles.LIMITS).scan(ByteBuffer.wrap(file));
        InstanceAttributes attributes = PixelMedAttributeReader.read(scanned);
        PixelFormat format = PixelFormat.of(attributes.pixels(), TestFiles.LIMITS);
        var items = ((PixelDataLocation.Encapsulated) scanned.pixelData()).items();
        RleDecoder decoder = new RleDecoder();
        FrameBuffer buffer = new FrameBuffer();
        assertThat(items).hasSize(format.frames() + 1);
        for (int f = 0; f < format.frames(); f++) {
            PixelDataLocation.Fragment fragment = items.get(f + 1);
            decoder.decode(scanned.dataset(), fragment.offset(), fragment.length(), format, FrameBuffer.Colour.PALETTE, f, buffer);
            byte[] ours = java.util.Arrays.copyOf(buffer.bytes, format.pixels());
            assertThat(ours).as("frame %d", f).isEqualTo(pixelMedFrames[f]);
        }
    }

    @Test
    void decodes_replicate_and_literal_runs_of_every_plane() throws Exception {
        byte[] red = new byte[24];
        byte[] green = new byte[24];
        byte[] blue = new byte[24];
        for (int i = 0; i < 24; i++) {
            red[i] = (byte) (i < 10 ? 7 : i);
            green[i] = (byte) (200 - i);
            blue[i] = (byte) 255;
        }
        byte[] frame = Part10Writer.rleFrame(List.of(red, green, blue));
        FrameBuffer out = new FrameBuffer();
        new RleDecoder().decode(ByteBuffer.wrap(frame), 0, frame.length, rgb(4, 6), FrameBuffer.Colour.RGB, 0, out);
        assertThat(java.util.Arrays.copyOfRange(out.bytes, 0, 24)).isEqualTo(red);
        assertThat(java.util.Arrays.copyOfRange(out.bytes, 24, 48)).isEqualTo(green);
        assertThat(java.util.Arrays.copyOfRange(out.bytes, 48, 72)).isEqualTo(blue);
    }

    @Test
    void rejects_a_segment_that_decodes_short_naming_frame_and_segment() {
        byte[] frame = Part10Writer.rleFrame(List.of(new byte[10], new byte[10], new byte[10]));
        assertThatThrownBy(() -> new RleDecoder().decode(ByteBuffer.wrap(frame), 0, frame.length, rgb(4, 6), FrameBuffer.Colour.RGB, 3,
                new FrameBuffer()))
                .isInstanceOf(DicomInputException.class)
                .hasMessageContaining("RLE frame 3 segment 0 decodes to 10 of 24 bytes")
                .extracting(e -> ((DicomInputException) e).reason()).isEqualTo(RejectReason.CORRUPT_COMPRESSED_FRAME);
    }

    @Test
    void rejects_segment_offsets_outside_the_frame() {
        byte[] frame = Part10Writer.rleFrame(List.of(new byte[24], new byte[24], new byte[24]));
        ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(8, 1_000_000);
        assertThatThrownBy(() -> new RleDecoder().decode(ByteBuffer.wrap(frame), 0, frame.length, rgb(4, 6), FrameBuffer.Colour.RGB, 0,
                new FrameBuffer()))
                .hasMessageContaining("segment 1 starts at 1000000");
    }

    private static PixelFormat rgb(int rows, int columns) {
        return new PixelFormat(rows, columns, 3, 8, 8, false, true, Photometric.RGB, 1);
    }

    private static byte[][] pixelMedFrames(AttributeList list) throws Exception {
        Attribute pixels = list.get(TagFromName.PixelData);
        int frames = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFrames, 1);
        int size = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0) * Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        byte[][] out = new byte[frames][];
        if (pixels instanceof com.pixelmed.dicom.OtherByteAttributeMultipleFrameArrays multi) {
            return multi.getByteValuesPerFrame();
        }
        byte[] all = pixels.getByteValues();
        for (int f = 0; f < frames; f++) {
            out[f] = java.util.Arrays.copyOfRange(all, f * size, (f + 1) * size);
        }
        return out;
    }
}
