package org.echostream.anomaly.topology;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A real persistent store with a counter on every value read from it (a found {@code get}, every entry an
 * iterator hands out), so a test sees how many states the processor touched, whatever way it looked for them.
 */
final class CountingStoreSupplier implements KeyValueBytesStoreSupplier {

    final AtomicLong valuesRead = new AtomicLong();
    private final KeyValueBytesStoreSupplier inner;

    CountingStoreSupplier(KeyValueBytesStoreSupplier inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String metricsScope() {
        return inner.metricsScope();
    }

    @Override
    public KeyValueStore<Bytes, byte[]> get() {
        return new Counting(inner.get());
    }

    private final class Counting implements KeyValueStore<Bytes, byte[]> {
        private final KeyValueStore<Bytes, byte[]> store;

        Counting(KeyValueStore<Bytes, byte[]> store) {
            this.store = store;
        }

        private KeyValueIterator<Bytes, byte[]> counted(KeyValueIterator<Bytes, byte[]> iterator) {
            return new KeyValueIterator<>() {
                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public KeyValue<Bytes, byte[]> next() {
                    valuesRead.incrementAndGet();
                    return iterator.next();
                }

                @Override
                public Bytes peekNextKey() {
                    return iterator.peekNextKey();
                }

                @Override
                public void close() {
                    iterator.close();
                }
            };
        }

        @Override
        public byte[] get(Bytes key) {
            byte[] value = store.get(key);
            if (value != null) {
                valuesRead.incrementAndGet();
            }
            return value;
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
            return counted(store.range(from, to));
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
            return counted(store.reverseRange(from, to));
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> all() {
            return counted(store.all());
        }

        @Override
        public KeyValueIterator<Bytes, byte[]> reverseAll() {
            return counted(store.reverseAll());
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
            return counted(store.prefixScan(prefix, prefixKeySerializer));
        }

        @Override
        public long approximateNumEntries() {
            return store.approximateNumEntries();
        }

        @Override
        public void put(Bytes key, byte[] value) {
            store.put(key, value);
        }

        @Override
        public byte[] putIfAbsent(Bytes key, byte[] value) {
            return store.putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
            store.putAll(entries);
        }

        @Override
        public byte[] delete(Bytes key) {
            return store.delete(key);
        }

        @Override
        public String name() {
            return store.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            store.init(context, root);
        }

        @Override
        public void flush() {
            store.flush();
        }

        @Override
        public void close() {
            store.close();
        }

        @Override
        public boolean persistent() {
            return store.persistent();
        }

        @Override
        public boolean isOpen() {
            return store.isOpen();
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
            return store.query(query, positionBound, config);
        }

        @Override
        public Position getPosition() {
            return store.getPosition();
        }
    }
}
