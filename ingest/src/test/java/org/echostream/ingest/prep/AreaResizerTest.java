package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AreaResizerTest {

    @Test
    void shrinking_averages_the_pixels_whose_centres_fall_in_each_output_pixel() {
        double[] source = {
                0, 2, 10, 20,
                4, 6, 30, 40,
                1, 1, 1, 1,
                1, 1, 3, 3};
        byte[] out = new byte[4];
        new AreaResizer(4, 4, 2, 2).resize(source, out, 0, 2, 0, 0);
        assertThat(out).containsExactly(3, 25, 1, 2);
    }

    @Test
    void rounds_halves_up() {
        double[] source = {1, 2};
        byte[] out = new byte[1];
        new AreaResizer(1, 2, 1, 1).resize(source, out, 0, 1, 0, 0);
        assertThat(out).containsExactly(2);
    }

    @Test
    void enlarging_takes_the_nearest_source_pixel() {
        double[] source = {10, 20};
        byte[] out = new byte[4];
        new AreaResizer(1, 2, 1, 4).resize(source, out, 0, 4, 0, 0);
        assertThat(out).containsExactly(10, 10, 20, 20);
    }

    @Test
    void letterbox_keeps_the_aspect_ratio_and_centres_the_image() {
        Letterbox box = Letterbox.fit(223, 260, 64, 64);
        assertThat(box.resizedWidth()).isEqualTo(64);
        assertThat(box.resizedHeight()).isEqualTo(55); // floor(223 * 64/260 + 0.5)
        assertThat(box.padY()).isEqualTo(4);
        assertThat(box.padX()).isZero();
    }
}
