package org.echostream.ingest.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrayConverterTest {

    @Test
    void rgb_becomes_rounded_luma() throws Exception {
        PixelFormat rgb = new PixelFormat(1, 3, 3, 8, 8, false, false, Photometric.RGB, 1);
        FrameBuffer f = new FrameBuffer();
        f.prepareBytes(3, 3, false, FrameBuffer.Colour.RGB);
        byte[] samples = {(byte) 255, 0, 0, 0, (byte) 255, 0, 10, 20, 30};
        System.arraycopy(samples, 0, f.bytes, 0, 9);
        byte[] out = new byte[3];
        new GrayConverter(rgb, null).convert(f, out, 0);
        // 0.299*255 + 0.5 = 76.745; 0.587*255 + 0.5 = 150.185; 2.99 + 11.74 + 3.42 + 0.5 = 18.65
        assertThat(out).containsExactly(76, (byte) 150, 18);
    }

    @Test
    void monochrome1_is_inverted() throws Exception {
        PixelFormat mono1 = new PixelFormat(1, 2, 1, 8, 8, false, false, Photometric.MONOCHROME1, 1);
        FrameBuffer f = new FrameBuffer();
        f.prepareBytes(2, 1, false, FrameBuffer.Colour.GRAY_INVERTED);
        f.bytes[0] = 0;
        f.bytes[1] = (byte) 200;
        byte[] out = new byte[2];
        new GrayConverter(mono1, null).convert(f, out, 0);
        assertThat(out).containsExactly((byte) 255, 55);
    }

    @Test
    void wide_samples_are_scaled_from_their_stored_range() throws Exception {
        PixelFormat twelveBit = new PixelFormat(1, 3, 1, 16, 12, false, false, Photometric.MONOCHROME2, 1);
        FrameBuffer f = new FrameBuffer();
        f.prepareWords(3, 1, false, FrameBuffer.Colour.GRAY, 12);
        f.words[0] = 0;
        f.words[1] = 4095;
        f.words[2] = 0xF000 | 2048; // bits above Bits Stored (overlay planes) are ignored
        byte[] out = new byte[3];
        new GrayConverter(twelveBit, null).convert(f, out, 0);
        assertThat(out).containsExactly(0, (byte) 255, (byte) 128);
    }

    @Test
    void signed_samples_map_their_minimum_to_black() {
        assertThat(GrayConverter.scaleToEightBit(0x800, 12, true)).isZero();   // -2048
        assertThat(GrayConverter.scaleToEightBit(0x7FF, 12, true)).isEqualTo(255); // +2047
    }

    @Test
    void palette_indices_go_through_the_tables_then_luma() throws Exception {
        PixelFormat palette = new PixelFormat(1, 2, 1, 8, 8, false, false, Photometric.PALETTE_COLOR, 1);
        int[] descriptor = {256, 0, 16};
        int[] red = new int[256];
        int[] green = new int[256];
        int[] blue = new int[256];
        red[3] = 0xFF00; // index 3 is pure red
        green[9] = 0xFFFF; // index 9 is pure green
        PaletteTables tables = new PaletteTables(descriptor, descriptor, descriptor, red, green, blue, false);
        FrameBuffer f = new FrameBuffer();
        f.prepareBytes(2, 1, false, FrameBuffer.Colour.PALETTE);
        f.bytes[0] = 3;
        f.bytes[1] = 9;
        byte[] out = new byte[2];
        new GrayConverter(palette, tables).convert(f, out, 0);
        assertThat(out).containsExactly(76, (byte) 150);
    }

    @Test
    void expands_segmented_palette_data_with_discrete_linear_and_indirect_segments() throws Exception {
        // discrete [0, 10], linear to 50 in 4 steps, then indirect: copy the first segment again
        int[] data = {0, 2, 0, 10, 1, 4, 50, 2, 1, 0, 0};
        int[] lut = PaletteLut.expandSegmented(data, 10, "red");
        assertThat(lut).containsExactly(0, 10, 20, 30, 40, 50, 0, 10, 10, 10);
    }
}
