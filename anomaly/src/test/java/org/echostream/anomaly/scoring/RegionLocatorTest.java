package org.echostream.anomaly.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;
import org.echostream.contracts.TokenRegion;
import org.junit.jupiter.api.Test;

class RegionLocatorTest {

    /** 500 x 380 region at (60, 40); scale 64/500 = 0.128 gives 64 x 49 model pixels, letterboxed 7 rows down. */
    private static final CropGeometry CROP = new CropGeometry(new PixelRegion(60, 40, 500, 380), RegionSource.ULTRASOUND_REGIONS,
            0.128, 0, 7, 640, 480);
    private final RegionLocator locator = new RegionLocator(0.5, 64, 64);

    @Test
    void box_is_the_connected_patch_around_the_peak() {
        float[] map = new float[8 * 8];
        map[2 * 8 + 4] = 5;
        map[3 * 8 + 4] = 4;
        map[3 * 8 + 5] = 3;
        map[6 * 8 + 1] = 4.5f; // high, but not connected to the peak
        map[2 * 8 + 3] = 2; // connected, below half of the peak
        assertThat(locator.box(map, 8, 8)).isEqualTo(new RegionLocator.GridBox(2, 3, 4, 5));
    }

    @Test
    void a_uniformly_surprising_map_gives_the_whole_grid() {
        float[] map = new float[4 * 4];
        java.util.Arrays.fill(map, 2.5f);
        assertThat(locator.box(map, 4, 4)).isEqualTo(new RegionLocator.GridBox(0, 3, 0, 3));
    }

    @Test
    void maps_a_grid_box_to_source_pixels_through_the_crop() {
        // rows 2..3 -> model y 16..32 -> source 40 + (16 - 7) / 0.128 = 110.3 .. 40 + (32 - 7) / 0.128 = 235.3
        // cols 4..5 -> model x 32..48 -> source 60 + 32 / 0.128 = 310 .. 60 + 48 / 0.128 = 435
        TokenRegion region = locator.locate(new RegionLocator.GridBox(2, 3, 4, 5), 8, 8, CROP);
        assertThat(region.getSource()).isEqualTo(new PixelRegion(310, 110, 125, 126));
        assertThat(region.getRowStart()).isEqualTo(2);
        assertThat(region.getColEnd()).isEqualTo(5);
    }

    @Test
    void letterbox_bands_are_clipped_to_the_imaging_region() {
        // row 0 covers model y 0..8, of which 0..7 is letterbox: the box starts at the region's top edge.
        TokenRegion region = locator.locate(new RegionLocator.GridBox(0, 7, 0, 7), 8, 8, CROP);
        assertThat(region.getSource()).isEqualTo(new PixelRegion(60, 40, 500, 380));
    }
}
