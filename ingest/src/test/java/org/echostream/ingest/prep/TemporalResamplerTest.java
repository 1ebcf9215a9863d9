package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;

import org.echostream.ingest.dicom.InstanceAttributes;
import org.junit.jupiter.api.Test;

class TemporalResamplerTest {

    @Test
    void takes_the_nearest_source_frame_for_each_output_time() {
        // output times 0, 0.5, 1.0 s; irregular source times
        double[] source = {0, 0.3, 0.45, 0.7, 1.0};
        assertThat(TemporalResampler.sourceIndices(source, 2)).containsExactly(0, 2, 4);
    }

    @Test
    void gives_ties_to_the_earlier_frame() {
        double[] source = {0, 0.5, 1.0};
        assertThat(TemporalResampler.sourceIndices(source, 4)).containsExactly(0, 0, 1, 1, 2);
    }

    @Test
    void counts_output_frames_up_to_the_last_source_time() {
        // the echo cine: 10 frames at 76 ms = 0.684 s -> outputs at 0 .. 8/12 s
        double[] source = new double[10];
        for (int i = 0; i < 10; i++) {
            source[i] = i * 76 / 1000.0;
        }
        assertThat(TemporalResampler.sourceIndices(source, 12)).hasSize(9);
    }

    @Test
    void frame_time_vector_wins_over_frame_time() {
        var timing = new InstanceAttributes.Timing(new double[] {0, 10, 30, 10}, 40.0, 25.0, null);
        FrameTiming t = FrameTiming.of(timing, 4);
        assertThat(t.source()).isEqualTo("FrameTimeVector");
        assertThat(t.seconds()).containsExactly(0, 0.01, 0.04, 0.05);
    }

    @Test
    void falls_back_to_cine_rate_then_display_rate_and_ignores_implausible_values() {
        assertThat(FrameTiming.of(new InstanceAttributes.Timing(null, 0.0, 50.0, 30.0), 3).source()).isEqualTo("CineRate");
        assertThat(FrameTiming.of(new InstanceAttributes.Timing(new double[] {0, 1}, -5.0, null, 30.0), 3).source())
                .isEqualTo("RecommendedDisplayFrameRate");
        assertThat(FrameTiming.of(new InstanceAttributes.Timing(null, null, null, null), 3)).isNull();
    }
}
