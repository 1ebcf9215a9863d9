package org.echostream.anomaly.series;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalDouble;
import org.echostream.anomaly.scoring.EvidenceRule;
import org.echostream.anomaly.testing.MapTensorBuffer;
import org.echostream.anomaly.testing.SyntheticLatents;
import org.echostream.anomaly.testing.SyntheticRelease;
import org.echostream.contracts.ClipLatents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesStateCodecTest {

    @TempDir
    Path tmp;

    @Test
    void round_trips_a_state_mid_loop_with_an_open_event_and_no_clip_yet_scored_maxima() {
        SeriesTracker tracker = new SeriesTracker(new SeriesSettings(new EvidenceRule(2, 3, 0.99), 4.0, 0.5, OptionalDouble.empty(),
                0.25, Duration.ofSeconds(60), 4), SyntheticRelease.load(tmp, 0.99));
        SeriesState state = null;
        MapTensorBuffer tensors = new MapTensorBuffer();
        for (ClipLatents clip : SyntheticLatents.loop("1.2.3", "1.2.3.4", 8, 41).surprising(2, 3).build().subList(0, 4)) {
            state = ((ClipOutcome.Accepted) tracker.onClip(state, clip, SyntheticLatents.T0, tensors)).state();
        }
        assertThat(state.loops.get("1.2.3.4").open).as("event still open").isNotNull();

        byte[] bytes = SeriesStateCodec.encode(state);
        assertThat(SeriesStateCodec.decode(bytes)).usingRecursiveComparison().isEqualTo(state);
        assertThat(SeriesStateCodec.encode(SeriesStateCodec.decode(bytes))).isEqualTo(bytes);

        SeriesState fresh = new SeriesState();
        assertThat(SeriesStateCodec.decode(SeriesStateCodec.encode(fresh)).maxCappedScore).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @Test
    void refuses_a_state_of_another_format_naming_the_series() {
        byte[] future = "{\"format\": 99, \"seriesInstanceUid\": \"1.2.3\", \"someday\": true}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> SeriesStateCodec.decode(future)).hasMessageContaining("series 1.2.3").hasMessageContaining("format 99");
        assertThatThrownBy(() -> SeriesStateCodec.decode(new byte[] {1, 2})).hasMessageContaining("2 bytes");
    }
}
