package org.echostream.anomaly.topology;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.state.KeyValueStore;
import org.echostream.anomaly.series.TensorBuffer;
import org.echostream.contracts.ClipLatents;

/**
 * The clip buffer store seen through the changes of one record: writes reach the store only on
 * {@link #commit()}, so a record that fails half-way leaves the store as it was (its series state is not
 * written either).
 */
final class StagedTensors implements TensorBuffer {

    private final KeyValueStore<String, ClipLatents> store;
    private final Map<String, ClipLatents> puts = new HashMap<>();
    private final Set<String> deletes = new HashSet<>();

    StagedTensors(KeyValueStore<String, ClipLatents> store) {
        this.store = store;
    }

    @Override
    public ClipLatents get(String key) {
        if (deletes.contains(key)) {
            return null;
        }
        ClipLatents staged = puts.get(key);
        return staged != null ? staged : store.get(key);
    }

    @Override
    public void put(String key, ClipLatents clip) {
        deletes.remove(key);
        puts.put(key, clip);
    }

    @Override
    public void delete(String key) {
        puts.remove(key);
        deletes.add(key);
    }

    void commit() {
        puts.forEach(store::put);
        deletes.forEach(store::delete);
        puts.clear();
        deletes.clear();
    }
}
