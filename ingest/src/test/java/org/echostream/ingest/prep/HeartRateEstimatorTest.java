package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;

import org.echostream.contracts.RegionSource;
import org.echostream.ingest.dicom.GrayLoop;
import org.echostream.ingest.testing.SyntheticEcho;
import org.junit.jupiter.api.Test;

class HeartRateEstimatorTest {

    @Test
    void finds_the_period_of_a_beating_loop() {
        for (double period : new double[] {0.6, 0.85, 1.2}) {
            SyntheticEcho echo = new SyntheticEcho(60, 80, 200, 20, period); // 4 s at 50 fps
            GrayLoop loop = new GrayLoop(echo.frames, echo.rows, echo.columns, echo.allFrames());
            CropRegion crop = new CropRegion(0, 0, echo.columns, echo.rows, RegionSource.FULL_FRAME, null);
            double[] seconds = new double[echo.frames];
            for (int i = 0; i < echo.frames; i++) {
                seconds[i] = i * 0.02;
            }
            assertThat(HeartRateEstimator.rrSeconds(loop, crop, seconds)).as("period %s s", period).isCloseTo(period, org.assertj.core.data.Offset.offset(0.03));
        }
    }

    @Test
    void has_no_estimate_for_a_loop_shorter_than_the_shortest_beat() {
        SyntheticEcho echo = new SyntheticEcho(40, 40, 10, 20, 0.8); // 0.2 s
        GrayLoop loop = new GrayLoop(echo.frames, echo.rows, echo.columns, echo.allFrames());
        double[] seconds = new double[echo.frames];
        for (int i = 0; i < echo.frames; i++) {
            seconds[i] = i * 0.02;
        }
        assertThat(HeartRateEstimator.rrSeconds(loop, new CropRegion(0, 0, 40, 40, RegionSource.FULL_FRAME, null), seconds)).isNull();
    }
}
