package org.echostream.findings.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.echostream.contracts.InstanceRecord;
import org.echostream.findings.testing.EchoStudy;
import org.junit.jupiter.api.Test;

class SourceFramesTest {

    private final EchoStudy echo = new EchoStudy("1.2.826.0.1.3680043.8.498.8");

    @Test
    void maps_seconds_to_one_based_source_frames() {
        InstanceRecord loop = echo.loop(echo.a4c, "1.2.3", 4, "A4C", 60, 40.0);

        assertThat(SourceFrames.firstAndLast(echo.event(echo.a4c + ".1", 0, 0.0, 0.4, 1), loop)).containsExactly(1, 11);
        assertThat(SourceFrames.firstAndLast(echo.event(echo.a4c + ".1", 0, 0.119, 0.121, 1), loop)).containsExactly(4, 4);
    }

    @Test
    void clamps_to_the_frames_the_object_has() {
        InstanceRecord loop = echo.loop(echo.a4c, "1.2.3", 4, "A4C", 10, 40.0);

        assertThat(SourceFrames.firstAndLast(echo.event(echo.a4c + ".1", 0, 0.2, 5.0, 1), loop)).containsExactly(6, 10);
    }

    @Test
    void gives_no_frames_without_frame_timing() {
        InstanceRecord untimed = InstanceRecord.newBuilder(echo.loop(echo.a4c, "1.2.3", 4, "A4C", 60, 40.0)).setFrameTimeMillis(null).build();

        assertThat(SourceFrames.all(echo.event(echo.a4c + ".1", 0, 0.2, 0.5, 1), untimed)).isEmpty();
    }
}
