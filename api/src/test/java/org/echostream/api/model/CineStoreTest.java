package org.echostream.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.echostream.contracts.Clip;
import org.echostream.contracts.ClipRef;
import org.echostream.contracts.ContractSamples;
import org.junit.jupiter.api.Test;

class CineStoreTest {

    static Clip clip(String sop, int index, int frames) {
        return Clip.newBuilder(ContractSamples.clip())
                .setRef(new ClipRef("1.1", "1.1.1", sop, index, index * frames, frames, 0.0, 1.0))
                .setFrames(frames).setHeight(10).setWidth(10).setPixels(ByteBuffer.wrap(new byte[frames * 100])).build();
    }

    @Test
    void drops_the_least_recently_used_loop_beyond_the_budget() {
        CineStore store = new CineStore(2 * 4 * 100, 4);
        store.put(clip("a", 0, 4));
        store.put(clip("b", 0, 4));
        assertThat(store.loop("1.1.1", "a")).isPresent(); // a is now the most recently used
        store.put(clip("c", 0, 4));
        assertThat(store.loop("1.1.1", "b")).isEmpty();
        assertThat(store.loop("1.1.1", "a")).isPresent();
        assertThat(store.bytesHeld()).isEqualTo(800);
        assertThat(store.evictedLoops()).isEqualTo(1);
    }

    @Test
    void holds_at_most_the_configured_frames_of_a_loop() {
        CineStore store = new CineStore(1 << 20, 6);
        store.put(clip("a", 0, 4));
        store.put(clip("a", 1, 4));
        store.put(clip("a", 2, 4));
        assertThat(store.framesHeld("1.1.1", "a")).isEqualTo(6);
        assertThat(store.loop("1.1.1", "a").orElseThrow().frames().lastKey()).isEqualTo(5);
        assertThat(store.bytesHeld()).isEqualTo(600);
    }

    @Test
    void overlapping_clips_store_each_frame_once() {
        CineStore store = new CineStore(1 << 20, 64);
        store.put(clip("a", 0, 4));
        assertThat(store.put(clip("a", 0, 4))).isInstanceOf(Applied.Ignored.class);
        assertThat(store.bytesHeld()).isEqualTo(400);
    }
}
