package org.echostream.anomaly.series;

import org.echostream.contracts.ClipLatents;

/**
 * Where clips wait for the clip they are compared with: a clip's prediction waits for the next clip, and
 * a clip that arrived early waits for the prediction of the clip before it. A state store in the
 * topology, a map in tests.
 */
public interface TensorBuffer {

    /** @return the clip stored under {@code key}, or null */
    ClipLatents get(String key);

    void put(String key, ClipLatents clip);

    void delete(String key);
}
