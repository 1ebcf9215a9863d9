package org.echostream.dicom.net;

import java.io.IOException;

/**
 * What the SCP does with a C-STORE: where the received bytes go, and the status to answer once they are
 * all there. The SCP sends the status only after {@link Reception#complete()} returns, so a handler that
 * makes the instance durable before returning SUCCESS never acknowledges what it could lose.
 */
public interface StoreHandler {

    /**
     * A C-STORE is about to send its data set.
     *
     * @throws Refusal when the instance cannot be taken now (the SCP reads and drops the data, then answers the status)
     */
    Reception begin(StoreRequest request) throws Refusal;

    /**
     * An association ended: released by the peer ({@code released}), or aborted, cut or timed out. Study
     * completeness counts a release as "this sender is done for now".
     */
    default void associationEnded(String associationId, String callingAeTitle, boolean released) {
    }

    /** The bytes of one instance as they arrive: the Part 10 header the SCP writes, then the data set. */
    interface Reception extends AutoCloseable {
        void write(byte[] bytes, int offset, int length) throws IOException;

        /** All bytes arrived: make the instance durable and answer with its status. */
        StoreStatus complete();

        /** Discards what was written unless {@link #complete()} ran (association aborted, data set cut short). */
        @Override
        void close();
    }

    /** The instance is refused before its data arrive. */
    final class Refusal extends Exception {
        private final StoreStatus status;

        public Refusal(StoreStatus status) {
            super(status.comment());
            this.status = status;
        }

        public StoreStatus status() {
            return status;
        }
    }
}
