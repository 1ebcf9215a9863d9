package org.echostream.findings.delivery;

import java.time.Instant;

/** What {@link Courier#deliver} did with one ready result. */
public sealed interface Attempt {

    record Delivered(String srSopInstanceUid, int attempt) implements Attempt {
    }

    record Retrying(String reasonCode, Instant nextAttemptAt) implements Attempt {
    }

    record Failed(String reasonCode, String reasonDetail) implements Attempt {
    }

    /** Nothing sent: already delivered, given up, or waiting for a back-off. */
    record Skipped(Decision decision) implements Attempt {
    }

    /** The SENDING record could not be written, so nothing was sent; the result stays due. */
    record NotRecorded(String reason) implements Attempt {
    }
}
