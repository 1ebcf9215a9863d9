package org.echostream.api.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.List;
import javax.imageio.ImageIO;
import org.echostream.contracts.CropGeometry;
import org.echostream.contracts.PixelRegion;
import org.echostream.contracts.RegionSource;
import org.junit.jupiter.api.Test;

class HeatmapKeyframeTest {

    @Test
    void upsampling_keeps_a_constant_map_constant_and_interpolates_between_tokens() {
        double[] flat = HeatmapKeyframe.upsample(new double[] {2, 2, 2, 2}, 2, 2, 8, 8);
        assertThat(flat).containsOnly(2.0);
        double[] ramp = HeatmapKeyframe.upsample(new double[] {0, 1}, 1, 2, 8, 1);
        assertThat(ramp[0]).isEqualTo(0.0);
        assertThat(ramp[7]).isEqualTo(1.0);
        assertThat(ramp[3]).isStrictlyBetween(0.0, 1.0);
    }

    @Test
    void averages_token_time_slots() {
        double[] mean = HeatmapKeyframe.spatialMean(new int[] {2, 1, 2}, new float[] {1, 3, 3, 5});
        assertThat(mean).containsExactly(2.0, 4.0);
        assertThatThrownBy(() -> HeatmapKeyframe.spatialMean(new int[] {2, 1, 2}, new float[] {1}))
                .hasMessageContaining("needs 4 values, got 1");
    }

    @Test
    void the_letterbox_is_outside_the_sector() {
        CropGeometry crop = new CropGeometry(new PixelRegion(0, 0, 200, 100), RegionSource.DETECTED, 0.5, 0, 25, 200, 100);
        assertThat(HeatmapKeyframe.sector(crop, 100, 100)).containsExactly(0, 25, 100, 75);
    }

    @Test
    void colours_the_surprising_half_and_leaves_the_calm_half_grey() throws Exception {
        byte[] frame = new byte[16 * 16];
        java.util.Arrays.fill(frame, (byte) 100);
        byte[] png = HeatmapKeyframe.png(16, 16, frame, null, new int[] {1, 1, 2}, new float[] {0f, 1f}, 1.0, List.of(), 1);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        int calm = image.getRGB(1, 8);
        int hot = image.getRGB(14, 8);
        assertThat(calm & 0xffffff).isEqualTo(0x646464);
        assertThat((hot >> 16) & 0xff).isNotEqualTo(hot & 0xff);
    }

    @Test
    void colour_ramp_runs_from_black_to_pale_yellow() {
        assertThat(HeatmapKeyframe.colour(0)).containsExactly(0, 0, 4);
        assertThat(HeatmapKeyframe.colour(1)).containsExactly(252, 255, 164);
    }
}
