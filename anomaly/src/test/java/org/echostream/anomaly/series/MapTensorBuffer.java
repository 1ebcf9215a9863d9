package org.echostream.anomaly.series;

import java.util.TreeMap;
import org.echostream.contracts.ClipLatents;

/** The clip buffer as a map, for tests without Kafka. */
final class MapTensorBuffer implements TensorBuffer {

    final TreeMap<String, ClipLatents> clips = new TreeMap<>();

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
