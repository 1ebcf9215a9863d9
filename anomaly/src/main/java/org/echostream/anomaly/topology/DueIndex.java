package org.echostream.anomaly.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The time-ordered index beside the series store: one entry per series, keyed by the time its next check
 * is due (8 bytes, big-endian) followed by the series key (UTF-8), so a range scan from 0 to now returns
 * exactly the due series, oldest first, and the punctuator never reads a state that has nothing to do.
 * Epoch millis are non-negative, so the bytes of a big-endian long sort like the long itself.
 *
 * <p>The value is one byte saying what is due: {@link #OPEN} (the series may have gone idle) or
 * {@link #CLOSED} (the closed series' retention ends). The punctuator can then skip open entries without
 * reading their state while a restart's grace period runs.
 */
final class DueIndex {

    static final byte OPEN = 0;
    static final byte CLOSED = 1;

    /**
     * Sorts after every due entry (no epoch milli reaches Long.MAX_VALUE), so no range scan up to now meets it.
     * Present once the index covers every series in the store; absent after an upgrade from a version without
     * the index, which makes the first punctuation build it.
     */
    private static final Bytes BUILT = Bytes.wrap(ByteBuffer.allocate(Long.BYTES + 6).putLong(Long.MAX_VALUE)
            .put("#built".getBytes(StandardCharsets.US_ASCII)).array());

    /** One due series: when, which, and what is due. */
    record Due(long dueMillis, String seriesKey, byte kind) {
    }

    private final KeyValueStore<Bytes, byte[]> store;

    DueIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    static Bytes key(long dueMillis, String seriesKey) {
        byte[] series = seriesKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + series.length).putLong(Math.max(0, dueMillis)).put(series).array());
    }

    /** Replaces the series' old entry (if it had one) by its new one. */
    void move(Due old, Due updated) {
        if (old != null && (old.dueMillis() != updated.dueMillis() || old.kind() != updated.kind())) {
            store.delete(key(old.dueMillis(), old.seriesKey()));
        }
        store.put(key(updated.dueMillis(), updated.seriesKey()), new byte[] {updated.kind()});
    }

    void remove(Due due) {
        store.delete(key(due.dueMillis(), due.seriesKey()));
    }

    /**
     * The entries due at or before {@code nowMillis}, oldest first, at most {@code limit} of them; open entries
     * are left out (and do not count) unless {@code includeOpen}.
     */
    List<Due> dueBy(long nowMillis, int limit, boolean includeOpen) {
        List<Due> due = new ArrayList<>();
        // The upper bound is the bare 8-byte prefix of now + 1: every real key is longer, so none due later is included.
        Bytes to = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(Math.max(0, nowMillis) + 1).array());
        try (KeyValueIterator<Bytes, byte[]> range = store.range(key(0, ""), to)) {
            while (range.hasNext() && due.size() < limit) {
                KeyValue<Bytes, byte[]> entry = range.next();
                byte[] key = entry.key.get();
                if (key.length <= Long.BYTES) {
                    continue;
                }
                ByteBuffer buffer = ByteBuffer.wrap(key);
                long dueMillis = buffer.getLong();
                String series = new String(key, Long.BYTES, key.length - Long.BYTES, StandardCharsets.UTF_8);
                byte kind = entry.value != null && entry.value.length == 1 ? entry.value[0] : OPEN;
                if (kind == OPEN && !includeOpen) {
                    continue;
                }
                due.add(new Due(dueMillis, series, kind));
            }
        }
        return due;
    }

    boolean built() {
        return store.get(BUILT) != null;
    }

    void markBuilt() {
        store.put(BUILT, new byte[] {1});
    }
}
