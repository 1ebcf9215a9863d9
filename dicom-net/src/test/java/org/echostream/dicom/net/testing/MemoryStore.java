package org.echostream.dicom.net.testing;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.echostream.dicom.net.StoreHandler;
import org.echostream.dicom.net.StoreRequest;
import org.echostream.dicom.net.StoreStatus;

/** A C-STORE handler for tests of the network layer: keeps each instance's bytes (Part 10 header and data set), or refuses. */
public final class MemoryStore implements StoreHandler {

    /** What completed, in order. */
    public final List<byte[]> stored = new CopyOnWriteArrayList<>();
    private volatile StoreStatus refuseWith;

    /** Refuses every following C-STORE with {@code status} before its data arrive (null: take them again). */
    public void refuseWith(StoreStatus status) {
        this.refuseWith = status;
    }

    @Override
    public Reception begin(StoreRequest request) throws Refusal {
        StoreStatus refusal = refuseWith;
        if (refusal != null) {
            throw new Refusal(refusal);
        }
        return new Reception() {
            private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

            @Override
            public void write(byte[] b, int offset, int length) {
                bytes.write(b, offset, length);
            }

            @Override
            public StoreStatus complete() {
                stored.add(bytes.toByteArray());
                return StoreStatus.SUCCESS;
            }

            @Override
            public void close() {
                // nothing is kept until complete()
            }
        };
    }
}
