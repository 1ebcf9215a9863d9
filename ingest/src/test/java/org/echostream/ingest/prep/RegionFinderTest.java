package org.echostream.ingest.prep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.echostream.contracts.RegionSource;
import org.echostream.ingest.dicom.GrayLoop;
import org.echostream.ingest.dicom.UltrasoundRegion;
import org.echostream.ingest.testing.SyntheticEcho;
import org.junit.jupiter.api.Test;

class RegionFinderTest {

    private static final RegionFinder.Settings SETTINGS = new RegionFinder.Settings(10, 0.01);

    @Test
    void detects_the_moving_sector_and_leaves_static_text_and_ecg_out() {
        SyntheticEcho echo = new SyntheticEcho(120, 160, 12, 40, 0.5);
        GrayLoop loop = new GrayLoop(echo.frames, echo.rows, echo.columns, echo.allFrames());
        RegionFinder.Result result = RegionFinder.find(List.of(), loop, SETTINGS);
        assertThat(result).isInstanceOfSatisfying(RegionFinder.Result.Found.class, found -> {
            CropRegion r = found.region();
            assertThat(r.source()).isEqualTo(RegionSource.DETECTED);
            // inside the fan's bounding box, and excluding the text rows at the top and the ECG line at the bottom
            assertThat(r.x()).isBetween(echo.sector[0], echo.sector[0] + 3);
            assertThat(r.x() + r.width() - 1).isBetween(echo.sector[2] - 3, echo.sector[2]);
            assertThat(r.y()).isGreaterThanOrEqualTo(echo.sector[1]);
            assertThat(r.y() + r.height() - 1).isLessThan(echo.rows - 4);
            assertThat(r.inSector(r.height() - 1, 0)).as("outer corner of the fan's box").isFalse();
            assertThat(r.inSector(r.height() / 2, r.width() / 2)).as("centre of the fan").isTrue();
        });
    }

    @Test
    void uses_the_first_tissue_region_clamped_to_the_frame() {
        GrayLoop loop = new GrayLoop(1, 600, 800, new byte[600 * 800]);
        var regions = List.of(new UltrasoundRegion(4, 10, 0, 0, 10, 10), new UltrasoundRegion(1, 1, 120, 60, 800, 518));
        RegionFinder.Result result = RegionFinder.find(regions, loop, SETTINGS);
        assertThat(result).isInstanceOfSatisfying(RegionFinder.Result.Found.class, found -> {
            assertThat(found.region().source()).isEqualTo(RegionSource.ULTRASOUND_REGIONS);
            assertThat(found.region().x()).isEqualTo(120);
            assertThat(found.region().width()).isEqualTo(680); // MaxX1 800 on an 800-column image: clamped to 799
            assertThat(found.region().height()).isEqualTo(459);
        });
    }

    @Test
    void a_loop_that_does_not_move_has_no_sector() {
        byte[] still = new byte[3 * 50 * 50];
        java.util.Arrays.fill(still, (byte) 90);
        RegionFinder.Result result = RegionFinder.find(List.of(), new GrayLoop(3, 50, 50, still), SETTINGS);
        assertThat(result).isInstanceOfSatisfying(RegionFinder.Result.NoMotion.class,
                n -> assertThat(n.detail()).contains("only 0 of 2,500 pixels change"));
    }
}
