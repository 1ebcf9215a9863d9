package org.echostream.anomaly.testing;

import java.util.TreeMap;
import org.echostream.anomaly.series.TensorBuffer;
import org.echostream.contracts.ClipLatents;

/** The clip buffer as a map, for tests without Kafka. */
public final class MapTensorBuffer implements TensorBuffer {

    public final TreeMap<String, ClipLatents> clips = new TreeMap<>();

    @Override
    public ClipLatents get(String key) {
        return clips.get(key);
    }

    @Override
    public void put(String key, ClipLatents clip) {
        clips.put(key, clip);
    }

    @Override
    public void delete(String key) {
        clips.remove(key);
    }
}
